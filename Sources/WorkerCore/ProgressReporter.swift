import JSONRPC

/// Sends `progress` and `log` notifications for one request, at most about 10 progress
/// lines per second. The first report is always sent, and `finish()` sends the last one if
/// it was held back, so even a 5-iteration training reports its end.
public final class ProgressReporter: Sendable {
  /// Minimum time between two progress notifications of one request.
  static let minimumInterval: Duration = .milliseconds(100)

  private struct State {
    var lastSent: ContinuousClock.Instant?
    var held: JSONValue?
  }

  let request: RequestID
  private let output: OutputChannel
  private let table: RequestTable?
  private let state = Locked(State())

  init(request: RequestID, output: OutputChannel, table: RequestTable?) {
    self.request = request
    self.output = output
    self.table = table
  }

  /// Reports `done` of `total` units of `stage`; `extra` adds fields such as `loss`, `eta_s`.
  /// The report is sent now when the rate allows, when `done == total` or when `always` (rare
  /// reports a client must not miss, such as each validation), else held.
  public func report(
    stage: String, done: Int, total: Int, extra: [(String, JSONValue)] = [], always: Bool = false
  ) {
    table?.updateProgress(request, done: done, total: total)
    var fields: [(String, JSONValue)] = [
      ("request", request.json), ("stage", .string(stage)),
      ("done", .int(Int64(done))), ("total", .int(Int64(total))),
    ]
    fields.append(contentsOf: extra)
    let params = JSONValue.object(JSONObject(fields))
    let now = ContinuousClock.now
    let send: Bool = state.withLock { s in
      let due = s.lastSent.map { now - $0 >= Self.minimumInterval } ?? true
      if due || always || done >= total {
        s.lastSent = now
        s.held = nil
        return true
      }
      s.held = params
      return false
    }
    if send { output.notify(method: "progress", params: params) }
  }

  /// Sends the held-back report, if any: call when the work ends.
  public func finish() {
    let held: JSONValue? = state.withLock { s in
      defer { s.held = nil }
      return s.held
    }
    if let held { output.notify(method: "progress", params: held) }
  }

  /// Sends a `log` notification for this request (`debug`, `info`, `warning`, `error`).
  public func log(_ level: String, _ message: String) {
    output.notify(
      method: "log",
      params: .object([
        "request": request.json, "level": .string(level), "message": .string(message),
      ]))
  }
}
