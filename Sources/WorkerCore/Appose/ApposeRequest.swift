import JSONRPC

/// One request line of the Appose worker protocol, as the service sends it on stdin:
/// `{"task":"<uuid>","requestType":"EXECUTE","script":"...","inputs":{...}}` or
/// `{"task":"<uuid>","requestType":"CANCEL"}`.
///
/// Only the fields the translation needs are kept; others (`queue`) are ignored.
enum ApposeRequest: Equatable {
  /// Run `script` with `inputs` (each nil when absent or null). `script` is kept as sent;
  /// whether it names one of our methods is the translator's decision.
  case execute(task: String, script: JSONValue?, inputs: JSONValue?)
  /// Stop the task.
  case cancel(task: String)

  /// Why a line is not an Appose request. The protocol has no answer for a line without a
  /// usable task id, so these are only logged.
  struct Unreadable: Error, Equatable {
    let reason: String
  }

  /// Reads one line; never throws for bad input, returns `.failure` with a reason instead.
  static func decode(line: [UInt8]) -> Result<ApposeRequest, Unreadable> {
    let value: JSONValue
    do {
      value = try JSONValue.parse(line)
    } catch {
      return .failure(Unreadable(reason: "not JSON: \(error.reason)"))
    }
    guard let members = value.objectValue else {
      return .failure(Unreadable(reason: "not a JSON object but \(value.typeDescription)"))
    }
    guard let task = members["task"]?.stringValue else {
      return .failure(Unreadable(reason: "no \"task\" string (the task's UUID)"))
    }
    switch members["requestType"]?.stringValue {
    case "EXECUTE":
      let script = members["script"].flatMap { $0.isNull ? nil : $0 }
      let inputs = members["inputs"].flatMap { $0.isNull ? nil : $0 }
      return .success(.execute(task: task, script: script, inputs: inputs))
    case "CANCEL":
      return .success(.cancel(task: task))
    case let other?:
      return .failure(Unreadable(reason: "task \(task): unknown requestType \(JSONValue.string(other))"))
    case nil:
      return .failure(Unreadable(reason: "task \(task): no \"requestType\" string"))
    }
  }
}
