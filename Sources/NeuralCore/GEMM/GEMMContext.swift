/// Per-thread packing buffers of the GEMM and the thread pool they belong to.
///
/// Created once (by a workspace) and reused by every multiplication, so no GEMM allocates.
/// Not thread-safe: one context serves one call at a time, and inside that call thread `t`
/// uses only `scratch[t]`.
final class GEMMContext {
  let parallel: Parallel
  let scratch: [GEMMScratch]
  /// Transformed filters and strips of the Winograd convolutions run in this context.
  let winograd = WinogradBuffers()

  init(parallel: Parallel) {
    self.parallel = parallel
    self.scratch = (0..<parallel.threads).map { _ in GEMMScratch() }
  }
}

/// One thread's packing buffers.
final class GEMMScratch {
  let packedA = AlignedBuffer(capacity: GEMMBlocking.rowBlock * GEMMBlocking.maxDepth)
  let packedB = AlignedBuffer(capacity: GEMMBlocking.maxDepth * GEMMBlocking.columnBlock)
  let tile = AlignedBuffer(capacity: MicroKernel.rows * MicroKernel.columns)
}
