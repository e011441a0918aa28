import Synchronization

/// Set by `cancel` or `shutdown`, polled by long work between SGD iterations and between
/// segmentation tiles. Cancellation is cooperative: work stops at its next check.
public final class CancellationToken: Sendable {
  private let flag = Atomic<Bool>(false)

  public init() {}

  public var isCancelled: Bool { flag.load(ordering: .acquiring) }

  public func cancel() { flag.store(true, ordering: .releasing) }

  /// Throws `RequestCancelled` once cancelled.
  public func check() throws(RequestCancelled) {
    if isCancelled { throw RequestCancelled() }
  }
}

/// Thrown out of long work that noticed its cancellation; answered with -32800.
public struct RequestCancelled: Error, Sendable {
  public init() {}
}
