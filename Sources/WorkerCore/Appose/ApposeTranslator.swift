import JSONRPC

/// What translating one line produced: lines for the worker (JSON-RPC requests), lines for the
/// Appose service (responses), and lines for stderr (what the Appose protocol cannot carry).
struct ApposeTranslation: Equatable {
  var toWorker: [String] = []
  var toClient: [String] = []
  var log: [String] = []
}

/// Translates between the Appose worker protocol and the worker's JSON-RPC, both directions.
///
/// Requests: `EXECUTE` becomes the request `{"id": task, "method": script, "params": inputs}`
/// (`LAUNCH` is answered at once), `CANCEL` becomes our `cancel` with an internal integer id.
/// Worker output: a result becomes `COMPLETION`, error -32800 `CANCELATION`, any other error
/// `FAILURE`, `progress`/`log` of a task `UPDATE`; answers to the internal cancels are dropped.
/// The methods themselves are the worker's: nothing here knows what a method does.
final class ApposeTranslator: Sendable {
  /// The names a script may be: the worker's methods, in `initialize` order.
  let methods: [String]
  private let tasks = Locked(ApposeTaskTable())
  /// The worker's line limit (Protocol/README.md, Framing), which a translated request must keep.
  private let maxLineLength: Int

  init(methods: [String], maxLineLength: Int = 16 << 20) {
    self.methods = methods
    self.maxLineLength = maxLineLength
  }

  // MARK: - Appose requests -> JSON-RPC

  /// Translates one Appose request line (without its line break).
  func translate(requestLine line: [UInt8]) -> ApposeTranslation {
    switch ApposeRequest.decode(line: line) {
    case .failure(let unreadable):
      return ApposeTranslation(log: ["ignored a request line: \(unreadable.reason)"])
    case .success(.cancel(let task)):
      return cancel(task)
    case .success(.execute(let task, let script, let inputs)):
      return execute(task, script: script, inputs: inputs)
    }
  }

  private func execute(_ task: String, script: JSONValue?, inputs: JSONValue?) -> ApposeTranslation {
    guard tasks.withLock({ $0.open(task) }) else {
      return ApposeTranslation(log: ["ignored EXECUTE of task \(task): that task is still running"])
    }
    var translation = ApposeTranslation(toClient: [ApposeResponse.launch(task: task)])
    switch request(task, script: script, inputs: inputs) {
    case .success(let line):
      translation.toWorker.append(line)
    case .failure(let failure):
      _ = tasks.withLock { $0.close(task) }
      translation.toClient.append(ApposeResponse.failure(task: task, error: failure.message, info: failure.json))
    }
    return translation
  }

  /// The JSON-RPC request line for an EXECUTE, or why there is none.
  private func request(_ task: String, script: JSONValue?, inputs: JSONValue?) -> Result<String, RPCError> {
    guard let method = Self.methodName(script) else {
      return .failure(notAMethod(script))
    }
    if let inputs, inputs.objectValue == nil {
      let message = "inputs must be an object (the params of \(JSONValue.string(method))), got \(inputs.typeDescription)"
      return .failure(.invalidParams(field: "inputs", message))
    }
    let line = OutgoingMessage.request(id: .string(task), method: method, params: inputs)
    guard line.utf8.count <= maxLineLength else {
      return .failure(
        .invalidParams(field: "inputs", "the inputs are too large: the request would exceed \(maxLineLength) bytes"))
    }
    return .success(line)
  }

  /// The error for a script that is not a method name: we run no code, only our methods.
  private func notAMethod(_ script: JSONValue?) -> RPCError {
    let got: String
    switch script {
    case nil: got = "no script"
    case .string(let text)?:
      let preview = text.count > 80 ? String(text.prefix(80)) + "..." : text
      got = JSONValue.string(preview).serialized()
    case let other?: got = other.typeDescription
    }
    return RPCError(
      code: .methodNotFound,
      message: "unet-worker runs no code: the script must be the name of one of its methods (\(methodList)), "
        + "with the method's params as the inputs; got \(got)",
      data: ["script": script ?? .null, "methods": .array(methods.map { .string($0) })])
  }

  private func cancel(_ task: String) -> ApposeTranslation {
    let id: Int64? = tasks.withLock { table in
      table.isOpen(task) ? table.newCancelRequest(for: task) : nil
    }
    guard let id else {
      return ApposeTranslation(log: ["ignored CANCEL of task \(task): no such task is running or queued"])
    }
    let line = OutgoingMessage.request(id: .int(id), method: CancelMethod.spec.name, params: ["request": .string(task)])
    return ApposeTranslation(toWorker: [line])
  }

  /// The script as a method name: trimmed of surrounding white space, then letters, digits and
  /// `_` only (not starting with a digit). Anything else is code, which we do not run.
  static func methodName(_ script: JSONValue?) -> String? {
    guard let text = script?.stringValue else { return nil }
    let blank: Set<Character> = [" ", "\t", "\r", "\n"]
    let name = String(text.drop { blank.contains($0) }.reversed().drop { blank.contains($0) }.reversed())
    guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return nil }
    let allowed = name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
    }
    return allowed ? name : nil
  }

  // MARK: - JSON-RPC output -> Appose responses

  /// Translates one line the worker wrote.
  func translate(workerLine line: String) -> ApposeTranslation {
    guard let message = try? JSONValue.parse(line), let members = message.objectValue else {
      return ApposeTranslation(log: ["dropped a worker line that is not a JSON object: \(line)"])
    }
    if let method = members["method"]?.stringValue, members["id"] == nil {
      return notification(method, params: members["params"] ?? .null, line: line)
    }
    switch members["id"] {
    case .string(let task)?:
      return answer(task: task, result: members["result"], error: members["error"], line: line)
    case .int(let id)?:
      return internalCancelAnswer(id, error: members["error"], line: line)
    default:
      return ApposeTranslation(log: ["dropped a worker line that belongs to no task: \(line)"])
    }
  }

  private func answer(task: String, result: JSONValue?, error: JSONValue?, line: String) -> ApposeTranslation {
    guard tasks.withLock({ $0.close(task) }) else {
      return ApposeTranslation(log: ["dropped an answer for task \(task), which is not running: \(line)"])
    }
    if let error {
      if error["code"]?.int64Value == Int64(ErrorCode.cancelled.rawValue) {
        return ApposeTranslation(toClient: [ApposeResponse.cancelation(task: task)])
      }
      let failure = ApposeResponse.failure(task: task, error: failureMessage(error), info: error)
      return ApposeTranslation(toClient: [failure])
    }
    let outputs = result?.objectValue ?? ["result": result ?? .null]
    return ApposeTranslation(toClient: [ApposeResponse.completion(task: task, outputs: outputs)])
  }

  /// The FAILURE's `error` text: our message, then code and data, and for an unknown method
  /// the names a script may be.
  private func failureMessage(_ error: JSONValue) -> String {
    let message = error["message"]?.stringValue ?? "unknown error"
    var details = "JSON-RPC error \(error["code"]?.serialized() ?? "null")"
    if let data = error["data"] { details += ", data \(data.serialized())" }
    var text = "\(message) [\(details)]"
    if error["code"]?.int64Value == Int64(ErrorCode.methodNotFound.rawValue) {
      text += "; a script is one of the methods: \(methodList)"
    }
    return text
  }

  private func internalCancelAnswer(_ id: Int64, error: JSONValue?, line: String) -> ApposeTranslation {
    guard let task = tasks.withLock({ $0.takeCancelRequest(id) }) else {
      return ApposeTranslation(log: ["dropped a worker answer to no request sent: \(line)"])
    }
    guard let error else { return ApposeTranslation() }
    return ApposeTranslation(log: ["cancelling task \(task) failed: \(error.serialized())"])
  }

  private func notification(_ method: String, params: JSONValue, line: String) -> ApposeTranslation {
    guard case .string(let task)? = params["request"], tasks.withLock({ $0.isOpen(task) }) else {
      return ApposeTranslation(log: ["worker \(method): \(params.serialized())"])
    }
    switch method {
    case "progress":
      let stage = params["stage"]?.stringValue ?? "progress"
      let done = params["done"]?.int64Value
      let total = params["total"]?.int64Value
      let counts = done.map { done in total.map { " \(done) of \($0)" } ?? " \(done)" } ?? ""
      let update = ApposeResponse.update(task: task, message: stage + counts, current: done, maximum: total, info: params)
      return ApposeTranslation(toClient: [update])
    case "log":
      let level = params["level"]?.stringValue ?? "info"
      let text = params["message"]?.stringValue ?? ""
      let update = ApposeResponse.update(task: task, message: "\(level): \(text)", current: nil, maximum: nil, info: params)
      return ApposeTranslation(toClient: [update])
    default:
      return ApposeTranslation(log: ["dropped a worker notification: \(line)"])
    }
  }

  private var methodList: String { methods.joined(separator: ", ") }
}
