/// Cache blocking of the packed GEMM (Goto and van de Geijn's layered loops, BLIS naming):
///
///     for jc in columns by nc            B block (kc × nc) packed once, lives in L3
///       for pc in depth blocks            (balanced, each ≤ maxDepth)
///         pack B
///         for ic in rows by mc           A block (mc × kc) lives in L2
///           for jr in jc block by nr     B micro-panel (kc × nr) lives in L1
///             for ir in ic block by 4    A micro-panel streams from L2
///               micro-kernel
///
/// Sizes are for the development machine (48 KiB L1d, 1 MiB L2 per core, 32 MiB shared L3):
/// a B micro-panel of 256 × 24 floats is 24 KiB (48 KiB with the AVX-512 tile), an A block of
/// 256 × 256 floats 256 KiB.
enum GEMMBlocking {
  static let maxDepth = 256
  static let rowBlock = 256
  static let columnBlock = 3072

  /// The depth partition used for a GEMM with inner dimension `k`. Blocks are balanced (a k of
  /// 288 becomes two blocks of 144, not 256 + 32). Operands packed ahead of time use the same
  /// partition, so it is a function of `k` alone; so is the order in which every element of C
  /// is summed, which makes results independent of the thread count.
  static func depthBlocks(_ k: Int) -> DepthBlocks {
    let count = Swift.max(1, (k + maxDepth - 1) / maxDepth)
    return DepthBlocks(total: k, count: count, size: (k + count - 1) / count)
  }
}

/// A partition of `0..<total` into `count` consecutive blocks of `size` (the last may be
/// shorter).
struct DepthBlocks {
  let total: Int
  let count: Int
  let size: Int

  func range(_ block: Int) -> Range<Int> {
    let start = block * size
    return start..<Swift.min(total, start + size)
  }
}
