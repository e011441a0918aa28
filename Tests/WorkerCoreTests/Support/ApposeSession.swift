import Dispatch
import Foundation
import JSONRPC
import WorkerCore

/// A worker in Appose mode running in this process: an `ApposeTransport` over an
/// `InMemoryTransport`, so tests write Appose request lines and read the Appose responses.
///
/// Dropping a session sends a `shutdown` task and ends the input, so a test that fails
/// half-way does not leave a training running behind it.
final class ApposeSession: Sendable {
  let pipe = InMemoryTransport()
  /// What the transport logged (stderr in the real worker).
  let logged = Locked<[String]>([])
  private let finished = DispatchSemaphore(value: 0)

  init(threads: Int = 1) {
    let logged = self.logged
    let transport = ApposeTransport(underlying: pipe) { message in logged.withLock { $0.append(message) } }
    let worker = Worker(transport: transport, threads: threads)
    let finished = self.finished
    Thread {
      worker.run()
      finished.signal()
    }.start()
  }

  deinit {
    pipe.feed(Self.execute("session-end", "shutdown") + "\n")
    pipe.closeInput()
  }

  // MARK: - Sending

  /// An EXECUTE line (no `\n`).
  static func execute(_ task: String, _ script: JSONValue, _ inputs: JSONValue? = nil) -> String {
    var request: JSONObject = ["task": .string(task), "requestType": "EXECUTE", "script": script]
    if let inputs { request["inputs"] = inputs }
    request["queue"] = .null
    return JSONValue.object(request).serialized()
  }

  /// Sends an EXECUTE.
  func execute(_ task: String, _ script: JSONValue, _ inputs: JSONValue? = nil) {
    pipe.feed(Self.execute(task, script, inputs) + "\n")
  }

  /// Sends a CANCEL.
  func cancel(_ task: String) {
    pipe.feed(JSONValue.object(["task": .string(task), "requestType": "CANCEL"]).serialized() + "\n")
  }

  /// Sends raw text exactly as given.
  func sendRaw(_ text: String) {
    pipe.feed(text)
  }

  /// Sends an EXECUTE and waits for the task's terminal response.
  func run(_ task: String, _ script: JSONValue, _ inputs: JSONValue? = nil, timeout: Duration = .seconds(60))
    async throws -> JSONValue
  {
    execute(task, script, inputs)
    return try await terminal(of: task, timeout: timeout)
  }

  /// Ends the input and waits until the worker's `run()` returns; false on timeout.
  func finish(timeout: Duration = .seconds(60)) async -> Bool {
    pipe.closeInput()
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if finished.wait(timeout: .now()) == .success {
        finished.signal()
        return true
      }
      try? await Task.sleep(for: .milliseconds(5))
    }
    return false
  }

  // MARK: - Reading

  /// Every line written so far, parsed (a line that is not JSON is kept as a string, so the
  /// failure shows).
  var lines: [JSONValue] {
    pipe.lines.map { line in (try? JSONValue.parse(line)) ?? .string("unparsable: \(line)") }
  }

  /// The responses of one task, in order.
  func responses(of task: String) -> [JSONValue] {
    lines.filter { $0["task"] == .string(task) }
  }

  /// The `responseType`s of one task, in order.
  func types(of task: String) -> [String] {
    responses(of: task).compactMap { $0["responseType"]?.stringValue }
  }

  /// Waits for the task's COMPLETION, FAILURE or CANCELATION.
  func terminal(of task: String, timeout: Duration = .seconds(60)) async throws -> JSONValue {
    try await waitFor("the end of task \(task)", timeout: timeout) { session in
      session.responses(of: task).first {
        ["COMPLETION", "FAILURE", "CANCELATION"].contains($0["responseType"]?.stringValue ?? "")
      }
    }
  }

  /// Polls `find` until it returns a value; throws `Timeout` after `timeout`.
  func waitFor<T>(
    _ what: String, timeout: Duration = .seconds(60), _ find: (ApposeSession) -> T?
  ) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
      if let found = find(self) { return found }
      guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
      try await Task.sleep(for: .milliseconds(2))
    }
  }
}
