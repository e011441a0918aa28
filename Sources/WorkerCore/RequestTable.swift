import JSONRPC

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

  private let entries = Locked<[Entry]>([])
  /// Queued requests that `cancel` took off the table; the worker answers them -32800.
  private let withdrawn = Locked<[RequestID]>([])

  public init() {}

  /// Registers a queued request and returns its cancellation token.
  func add(id: RequestID, method: String) -> CancellationToken {
    let token = CancellationToken()
    entries.withLock { $0.append(Entry(id: id, method: method, token: token)) }
    return token
  }

  /// Marks the request holding `token` as running; false when `cancel` withdrew it while it
  /// was queued (it is answered already and must not run).
  func start(_ token: CancellationToken) -> Bool {
    entries.withLock { list in
      guard let i = list.firstIndex(where: { $0.token === token }) else { return false }
      list[i].state = .running
      return true
    }
  }

  func updateProgress(_ id: RequestID, done: Int, total: Int) {
    update(id) {
      $0.done = done
      $0.total = total
    }
  }

  /// Takes the request holding `token` off the table (it is about to be answered).
  func remove(_ token: CancellationToken) {
    entries.withLock { $0.removeAll { $0.token === token } }
  }

  /// Whether a request with this id is queued or running (ids must be unique among them).
  func contains(_ id: RequestID) -> Bool {
    entries.withLock { $0.contains { $0.id == id } }
  }

  /// Cancels one request; false when no such request is queued or running. A running request
  /// stops at its next check; a queued one is withdrawn at once (it leaves `status`, its id is
  /// free again) and `takeWithdrawn()` hands it to the worker to answer, so its -32800 does not
  /// wait for the request running before it.
  func cancel(_ id: RequestID) -> Bool {
    entries.withLock { list in
      guard let i = list.firstIndex(where: { $0.id == id }) else { return false }
      list[i].token.cancel()
      if list[i].state == .queued {
        let entry = list.remove(at: i)
        withdrawn.withLock { $0.append(entry.id) }
      }
      return true
    }
  }

  /// The queued requests `cancel` withdrew since the last call, to be answered -32800.
  func takeWithdrawn() -> [RequestID] {
    withdrawn.withLock { ids in
      defer { ids = [] }
      return ids
    }
  }

  /// Cancels everything (shutdown).
  func cancelAll() {
    entries.withLock { list in list.forEach { $0.token.cancel() } }
  }

  /// The `status` result's `requests` array, in arrival order. Built inside the lock: an array
  /// copied out of it shares its storage until the next write, an ordering that only the
  /// (uninstrumented) reference count guarantees, so ThreadSanitizer would report it.
  func statusJSON() -> JSONValue {
    entries.withLock { list in
      .array(
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
  }

  private func update(_ id: RequestID, _ change: (inout Entry) -> Void) {
    entries.withLock { list in
      if let i = list.firstIndex(where: { $0.id == id }) { change(&list[i]) }
    }
  }
}
