import Dispatch
import JSONRPC
import NeuralCore

/// The worker: reads requests from a transport, answers quick ones at once and runs long
/// ones one at a time on a job queue, so `status` and `cancel` are answered during training.
///
/// Every request gets exactly one response with its id; notifications from the client are
/// ignored; bad input of any kind becomes an error response, never a crash.
public final class Worker: Sendable {
  private let transport: any Transport
  private let output: OutputChannel
  private let environment: WorkerEnvironment
  private let methods: [String: MethodSpec]
  private let jobs = DispatchQueue(label: "unet-worker.jobs")
  private let pending = DispatchGroup()

  public init(transport: any Transport, threads: Int) {
    self.transport = transport
    self.output = OutputChannel(transport: transport)
    let specs = MethodRegistry.all
    self.methods = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
    self.environment = WorkerEnvironment(
      parallel: Parallel(threads: max(1, threads)), requests: RequestTable(),
      methodNames: specs.map(\.name))
  }

  /// Serves until end of input or `shutdown`, then returns once every accepted request is
  /// answered. The process exits 0 afterwards.
  public func run() {
    var framer = LineFramer()
    while let chunk = transport.readChunk() {
      for line in framer.append(chunk) {
        if handle(line) == .stop { return }
      }
    }
    if let last = framer.finish(), handle(last) == .stop { return }
    pending.wait()
  }

  private enum Next { case goOn, stop }

  private func handle(_ framed: FramedLine) -> Next {
    switch framed {
    case .tooLong(let byteCount):
      output.respond(
        id: nil, error: .parseError("line of \(byteCount) bytes exceeds the 16 MiB limit"))
      return .goOn
    case .line(let bytes):
      switch IncomingMessage.decode(line: bytes) {
      case .failure(let failure):
        output.respond(id: failure.id, error: failure.error)
        return .goOn
      case .success(.notification):
        return .goOn  // the protocol defines no client notifications; never answered
      case .success(.request(let id, let method, let params)):
        return dispatch(id: id, method: method, params: params)
      }
    }
  }

  private func dispatch(id: RequestID, method: String, params: JSONValue?) -> Next {
    if method == ShutdownMethod.name {
      environment.requests.cancelAll()
      pending.wait()
      output.respond(id: id, result: .object([:]))
      return .stop
    }
    guard let spec = methods[method] else {
      output.respond(id: id, error: .methodNotFound(method))
      return .goOn
    }
    if environment.requests.contains(id) {
      output.respond(
        id: id, error: RPCError(code: .invalidRequest, message: "id \(id) is already in use by a running or queued request", data: nil))
      return .goOn
    }
    let reader = ParamsReader(params)
    switch spec.handler {
    case .immediate(let answer):
      do {
        output.respond(id: id, result: try answer(reader, environment))
      } catch {
        output.respond(id: id, error: rpcError(from: error))
      }
      // Queued requests that this `cancel` withdrew answer now, after the cancel itself.
      for withdrawn in environment.requests.takeWithdrawn() {
        output.respond(id: withdrawn, error: .cancelled)
      }
    case .queued(let prepare):
      do {
        let work = try prepare(reader)
        enqueue(id: id, method: method, work: work)
      } catch {
        output.respond(id: id, error: rpcError(from: error))
      }
    }
    return .goOn
  }

  private func enqueue(id: RequestID, method: String, work: @escaping PreparedRequest) {
    let token = environment.requests.add(id: id, method: method)
    let progress = ProgressReporter(request: id, output: output, table: environment.requests)
    let context = RequestContext(id: id, token: token, progress: progress, environment: environment)
    let output = self.output
    let requests = environment.requests
    pending.enter()
    jobs.async { [pending] in
      defer { pending.leave() }
      // Withdrawn by `cancel` while queued: answered already.
      guard requests.start(token) else { return }
      let outcome: Result<JSONValue, any Error> =
        token.isCancelled ? .failure(RequestCancelled()) : Result { try work(context) }
      progress.finish()
      requests.remove(token)
      switch outcome {
      case .success(let result): output.respond(id: id, result: result)
      case .failure(let error): output.respond(id: id, error: rpcError(from: error))
      }
    }
  }
}
