import JSONRPC
import Synchronization

/// The long requests the worker has accepted and not yet answered: what `status` lists and
/// what `cancel` and `shutdown` reach.
public final class RequestTable: Sendable {
  public enum State: String, Sendable { case queued, running }

  struct Entry: Sendable {
    let id: RequestID
    let method: String
    let token: CancellationToken
    var state: State = .queued
    var done: Int = 0
    var total: Int = 0
  }

  private let entries = Mutex<[Entry]>([])

  public init() {}

  /// Registers a queued request and returns its cancellation token.
  func add(id: RequestID, method: String) -> CancellationToken {
    let token = CancellationToken()
    entries.withLock { $0.append(Entry(id: id, method: method, token: token)) }
    return token
  }

  func markRunning(_ id: RequestID) {
    update(id) { $0.state = .running }
  }

  func updateProgress(_ id: RequestID, done: Int, total: Int) {
    update(id) {
      $0.done = done
      $0.total = total
    }
  }

  func remove(_ id: RequestID) {
    entries.withLock { $0.removeAll { $0.id == id } }
  }

  /// Whether a request with this id is queued or running (ids must be unique among them).
  func contains(_ id: RequestID) -> Bool {
    entries.withLock { $0.contains { $0.id == id } }
  }

  /// Cancels one request; false when no such request is queued or running.
  func cancel(_ id: RequestID) -> Bool {
    entries.withLock { list in
      guard let entry = list.first(where: { $0.id == id }) else { return false }
      entry.token.cancel()
      return true
    }
  }

  /// Cancels everything (shutdown).
  func cancelAll() {
    entries.withLock { list in list.forEach { $0.token.cancel() } }
  }

  /// The `status` result's `requests` array, in arrival order.
  func statusJSON() -> JSONValue {
    let list = entries.withLock { $0 }
    return .array(
      list.map { entry in
        .object([
          "id": entry.id.json,
          "method": .string(entry.method),
          "state": .string(entry.state.rawValue),
          "done": .int(Int64(entry.done)),
          "total": .int(Int64(entry.total)),
        ])
      })
  }

  private func update(_ id: RequestID, _ change: (inout Entry) -> Void) {
    entries.withLock { list in
      if let i = list.firstIndex(where: { $0.id == id }) { change(&list[i]) }
    }
  }
}
