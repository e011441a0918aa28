import JSONRPC

/// The lines the worker writes on stdout in Appose mode, one compact JSON object each, `task`
/// and `responseType` first (the order of the Appose documentation's examples).
enum ApposeResponse {
  /// The version of the Appose worker protocol implemented here: that of the `appose` package
  /// the outside test drives us with. Appose services compare its major.minor with their own.
  static let apposeVersion = "0.12.0"

  /// The first line: who we are. It has no `task`, so services that predate the handshake skip
  /// it; newer ones read `implementation` and `version` (the Appose version implemented).
  static func hello(methods: [String]) -> String {
    JSONValue.object([
      "responseType": "HELLO", "implementation": .string(WorkerInfo.name),
      "version": .string(apposeVersion), "worker_version": .string(WorkerInfo.version),
      "protocol_version": .string(WorkerInfo.protocolVersion),
      "methods": .array(methods.map { .string($0) }),
    ]).serialized()
  }

  /// The EXECUTE was received and the task is on its way.
  static func launch(task: String) -> String {
    line(task: task, type: "LAUNCH")
  }

  /// Progress of a task; `current`/`maximum` only when known.
  static func update(task: String, message: String, current: Int64?, maximum: Int64?, info: JSONValue) -> String {
    var extra: JSONObject = ["message": .string(message)]
    if let current { extra["current"] = .int(current) }
    if let maximum { extra["maximum"] = .int(maximum) }
    extra["info"] = info
    return line(task: task, type: "UPDATE", extra)
  }

  /// The task succeeded; `outputs` is the method's result object.
  static func completion(task: String, outputs: JSONObject) -> String {
    line(task: task, type: "COMPLETION", ["outputs": .object(outputs)])
  }

  /// The task stopped because it was cancelled.
  static func cancelation(task: String) -> String {
    line(task: task, type: "CANCELATION")
  }

  /// The task failed: `error` is the sentence for the user, `info` the details (our error
  /// object), which Appose hands to task listeners.
  static func failure(task: String, error: String, info: JSONValue) -> String {
    line(task: task, type: "FAILURE", ["error": .string(error), "info": info])
  }

  private static func line(task: String, type: String, _ extra: JSONObject = [:]) -> String {
    var members: JSONObject = ["task": .string(task), "responseType": .string(type)]
    for (key, value) in extra { members[key] = value }
    return JSONValue.object(members).serialized()
  }
}
