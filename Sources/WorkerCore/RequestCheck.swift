import JSONRPC
import NeuralCore

/// The checks the worker makes on one input line before it accepts a request, without running
/// any work: JSON, the JSON-RPC 2.0 shape, the method name, and every parameter check of the
/// method (queued methods are parsed, not run; `status`, `cancel` and `initialize` answer
/// against an empty request table). The fuzz target `unet-fuzz jsonrpc` drives the same code
/// the worker runs on each line, so anything it finds is a bug of the worker.
public enum RequestCheck {
  /// What the worker would do with `line`.
  public enum Outcome: Sendable, Equatable {
    /// Answered with this error response line.
    case rejected(response: String)
    /// A notification: never answered.
    case ignored
    /// Accepted: answered at once (immediate methods) or queued.
    case accepted(method: String)
  }

  public static func check(line: [UInt8]) -> Outcome {
    switch IncomingMessage.decode(line: line) {
    case .failure(let failure):
      return .rejected(response: failure.response)
    case .success(.notification):
      return .ignored
    case .success(.request(let id, let method, let params)):
      guard let spec = methods[method] else {
        return .rejected(response: OutgoingMessage.error(id: id, error: .methodNotFound(method)))
      }
      let reader = ParamsReader(params)
      do {
        switch spec.handler {
        case .immediate(let answer):
          if method != ShutdownMethod.name { _ = try answer(reader, emptyEnvironment()) }
        case .queued(let prepare):
          _ = try prepare(reader)
        }
        return .accepted(method: method)
      } catch {
        return .rejected(response: OutgoingMessage.error(id: id, error: rpcError(from: error)))
      }
    }
  }

  private static let methods = Dictionary(uniqueKeysWithValues: MethodRegistry.all.map { ($0.name, $0) })

  private static func emptyEnvironment() -> WorkerEnvironment {
    WorkerEnvironment(
      parallel: Parallel(threads: 1), requests: RequestTable(), methodNames: MethodRegistry.all.map(\.name))
  }
}
