/// The Appose tasks forwarded to the worker and not yet answered, and the `cancel` requests
/// the translation sent on the client's behalf (whose answers the client must not see).
///
/// Task UUIDs are strings and become JSON-RPC ids as they are; the internal `cancel` requests
/// get integer ids, so the two can never collide.
struct ApposeTaskTable {
  private var open: Set<String> = []
  private var cancelRequests: [Int64: String] = [:]
  private var lastCancelID: Int64 = 0

  /// Records a task as forwarded; false when a task of that UUID is still unanswered.
  mutating func open(_ task: String) -> Bool {
    open.insert(task).inserted
  }

  /// Whether the task was forwarded and not yet answered.
  func isOpen(_ task: String) -> Bool {
    open.contains(task)
  }

  /// Forgets an answered task; false when it was not open.
  mutating func close(_ task: String) -> Bool {
    open.remove(task) != nil
  }

  /// A fresh id for an internal `cancel` of `task`.
  mutating func newCancelRequest(for task: String) -> Int64 {
    lastCancelID += 1
    cancelRequests[lastCancelID] = task
    return lastCancelID
  }

  /// The task an internal `cancel` was about, when `id` is one (removed: answered once).
  mutating func takeCancelRequest(_ id: Int64) -> String? {
    cancelRequests.removeValue(forKey: id)
  }
}
