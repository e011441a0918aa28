#if canImport(Glibc)
  import Glibc
#endif

/// A value behind a POSIX mutex, for the state the worker's threads share (the request table,
/// the output channel, progress throttling, the in-memory transport).
///
/// Why not `Synchronization.Mutex`: on Linux its locking is invisible to ThreadSanitizer (its
/// atomics are in the uninstrumented standard library), which then reports every access as a
/// race (Tests/tools/sanitizers/tsan_mutex_false_positive.swift). ThreadSanitizer intercepts
/// `pthread_mutex_lock`, so with this type `make sanitize` checks the worker's threads.
public final class Locked<Value>: @unchecked Sendable {
  // @unchecked: `value` is only touched between pthread_mutex_lock and _unlock.
  private var value: Value
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  public init(_ value: Value) {
    self.value = value
    mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deinitialize(count: 1)
    mutex.deallocate()
  }

  /// Runs `body` with the value while holding the lock; not reentrant.
  public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value)
  }
}
