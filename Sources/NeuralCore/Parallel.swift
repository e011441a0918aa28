import Dispatch

/// Splits work over a fixed number of threads (Dispatch's `concurrentPerform`).
///
/// The thread count is the caller's choice (the worker's `--threads`), never discovered
/// here, so results and timings are reproducible. With one thread the body runs inline.
public struct Parallel: Sendable {
  public let threads: Int

  public init(threads: Int) {
    precondition(threads >= 1, "Parallel: threads \(threads) must be at least 1")
    self.threads = threads
  }

  /// Runs `body(chunk)` for `chunk` in `0..<chunks`, spread over the threads. Chunks must
  /// write disjoint memory; the call returns when all are done.
  public func forEach(chunks: Int, _ body: (Int) -> Void) {
    if chunks <= 0 { return }
    if threads == 1 || chunks == 1 {
      for chunk in 0..<chunks { body(chunk) }
      return
    }
    withoutActuallyEscaping(body) { escapable in
      let box = UncheckedSendableBox(escapable)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in box.value(chunk) }
    }
  }

  /// Runs `body(range)` on `threads` contiguous, nearly equal parts of `0..<count`.
  public func forEachRange(count: Int, _ body: (Range<Int>) -> Void) {
    let parts = Swift.min(threads, count)
    if parts <= 0 { return }
    forEach(chunks: parts) { part in
      let start = count * part / parts
      let end = count * (part + 1) / parts
      body(start..<end)
    }
  }
}

/// Carries a non-Sendable closure into `concurrentPerform`; safe because the closure only
/// touches disjoint memory per chunk and the call does not return before all chunks finish.
@usableFromInline
struct UncheckedSendableBox<T>: @unchecked Sendable {
  @usableFromInline let value: T
  @usableFromInline init(_ value: T) { self.value = value }
}
