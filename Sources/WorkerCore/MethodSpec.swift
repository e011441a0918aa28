import JSONRPC
import NeuralCore

/// What a method needs from the worker while it runs.
public struct WorkerEnvironment: Sendable {
  /// Compute threads for training and segmentation (`--threads`).
  public let parallel: Parallel
  /// Long requests accepted and not yet answered (`status`, `cancel`).
  let requests: RequestTable
  /// The method names the worker answers (`initialize`).
  let methodNames: [String]
  /// The last `segment`'s model and buffers, for the next request.
  let inferenceCache = InferenceCache()
}

/// One long request's view of the worker while it runs.
public struct RequestContext: Sendable {
  public let id: RequestID
  public let token: CancellationToken
  public let progress: ProgressReporter
  public let environment: WorkerEnvironment
}

/// Work whose parameters were checked; runs later on the job queue.
public typealias PreparedRequest = @Sendable (RequestContext) throws -> JSONValue

/// How a method is answered.
public enum MethodHandler: Sendable {
  /// Answered at once on the reader thread, even while long work runs.
  case immediate(@Sendable (ParamsReader, WorkerEnvironment) throws -> JSONValue)
  /// Parameters are checked at once (errors answered immediately); the work is queued and
  /// runs one request at a time. Files are touched only when the work runs, so a queued
  /// `segment` can use the model that an earlier queued `train` writes.
  case queued(@Sendable (ParamsReader) throws -> PreparedRequest)
}

/// A method of the protocol: its name and handler (one file per method under `Methods/`).
public struct MethodSpec: Sendable {
  public let name: String
  public let handler: MethodHandler
}
