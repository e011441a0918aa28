import Dispatch
import Foundation
import JSONRPC
import WorkerCore

/// A worker running in this process on its own thread, driven through an `InMemoryTransport`:
/// tests send request lines and wait for the lines the worker writes back.
///
/// Dropping a session sends `shutdown` and ends the input, so a test that fails half-way does
/// not leave a long training running behind it.
final class WorkerSession: Sendable {
  let transport = InMemoryTransport()
  private let finished = DispatchSemaphore(value: 0)

  /// Starts a worker with `threads` compute threads.
  init(threads: Int = 1) {
    let worker = Worker(transport: transport, threads: threads)
    let finished = self.finished
    Thread {
      worker.run()
      finished.signal()
    }.start()
  }

  deinit {
    transport.feed(Self.line(id: "session-end", method: "shutdown") + "\n")
    transport.closeInput()
  }

  // MARK: - Sending

  /// A request line (no `\n`); `id` nil makes a notification.
  static func line(id: JSONValue?, method: String, params: JSONValue? = nil) -> String {
    var message: JSONObject = ["jsonrpc": "2.0"]
    if let id { message["id"] = id }
    message["method"] = .string(method)
    if let params { message["params"] = params }
    return JSONValue.object(message).serialized()
  }

  /// Sends one request (or, with `id` nil, a notification).
  func send(id: JSONValue?, method: String, params: JSONValue? = nil) {
    transport.feed(Self.line(id: id, method: method, params: params) + "\n")
  }

  /// Sends raw bytes exactly as given (no line break added).
  func sendRaw(_ bytes: [UInt8]) {
    transport.feed(bytes: bytes)
  }

  /// Sends a request and waits for its response.
  func call(
    _ id: JSONValue, _ method: String, _ params: JSONValue? = nil, timeout: Duration = .seconds(60)
  ) async throws -> Reply {
    send(id: id, method: method, params: params)
    return try await reply(to: id, timeout: timeout)
  }

  /// Ends the input and waits until the worker's `run()` returns; false on timeout.
  func finish(timeout: Duration = .seconds(60)) async -> Bool {
    transport.closeInput()
    return await waitForExit(timeout: timeout)
  }

  /// Waits until the worker's `run()` returns (after end of input or `shutdown`).
  func waitForExit(timeout: Duration = .seconds(60)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if finished.wait(timeout: .now()) == .success {
        finished.signal()  // stays observable for later calls
        return true
      }
      try? await Task.sleep(for: .milliseconds(5))
    }
    return false
  }

  // MARK: - Reading

  /// Every line written so far, parsed. A line that is not JSON is a test failure by itself
  /// (the protocol only writes JSON), so it is kept as a string to make the failure visible.
  var messages: [JSONValue] {
    transport.lines.map { line in (try? JSONValue.parse(line)) ?? .string("unparsable: \(line)") }
  }

  /// The responses written so far (messages with an `id` and a `result` or an `error`).
  var replies: [Reply] {
    messages.compactMap { Reply($0) }
  }

  /// The notifications of `method` written so far (`progress`, `log`).
  func notifications(_ method: String) -> [JSONValue] {
    messages.filter { $0["method"] == .string(method) && $0["id"] == nil }
  }

  /// The progress notifications of one request.
  func progress(of id: JSONValue) -> [JSONValue] {
    notifications("progress").filter { $0["params"]?["request"] == id }
  }

  /// Waits for the first response with this id (compared as JSON, so `1` and `"1"` differ).
  func reply(to id: JSONValue, timeout: Duration = .seconds(60)) async throws -> Reply {
    try await waitFor("the response to id \(id)", timeout: timeout) {
      $0.replies.first { $0.id == id }
    }
  }

  /// Polls `find` until it returns a value; throws `Timeout` after `timeout`.
  func waitFor<T>(
    _ what: String, timeout: Duration = .seconds(60), _ find: (WorkerSession) -> T?
  ) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
      if let found = find(self) { return found }
      guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
      try await Task.sleep(for: .milliseconds(2))
    }
  }
}

/// Waiting for something the worker should have written did not succeed in time.
struct Timeout: Error, CustomStringConvertible {
  let what: String
  var description: String { "timed out waiting for \(what)" }
}

/// One response line: its id and either a result or an error.
struct Reply: Sendable, CustomStringConvertible {
  let message: JSONValue

  /// nil when `message` is not a response.
  init?(_ message: JSONValue) {
    guard message["id"] != nil, message["method"] == nil,
      message["result"] != nil || message["error"] != nil
    else { return nil }
    self.message = message
  }

  var id: JSONValue? { message["id"] }
  var result: JSONValue? { message["result"] }
  var error: JSONValue? { message["error"] }
  /// The error code, nil for a result.
  var code: Int? { error?["code"]?.int64Value.map { Int($0) } }
  var data: JSONValue? { error?["data"] }
  var description: String { message.serialized() }
}
