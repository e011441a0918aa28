/// The register tile of the packed GEMM: C[4×24] (+)= A[4×kc] · B[kc×24].
///
/// Twelve `SIMD8<Float>` accumulators (4 rows × 3 vectors of 8 columns) stay in the 16 AVX2
/// registers; per step of the depth loop it loads three vectors of B, broadcasts four scalars
/// of A and issues twelve fused multiply-adds (`addingProduct`, one `vfmadd231ps` each when
/// the build targets an FMA-capable CPU). On the development machine it runs at the core's
/// FMA peak (about 130 GFLOP/s per core, measured with a stand-alone loop).
///
/// Packed layouts (see `GEMMBlocking`): the A micro-panel holds `kc` groups of 4 row values,
/// the B micro-panel `kc` groups of 24 column values, both contiguous.
///
/// Built with `-D NEURALCORE_AVX512` (for a CPU with AVX-512, with `-target-cpu` set to one),
/// the tile is 4×48 in twelve `SIMD16<Float>` accumulators instead (`MicroKernel+AVX512`): on
/// cores with full-width 512-bit FMA units (AMD Zen 5) that doubles the FMA throughput. Without
/// an AVX-512 target that tile would spill, hence the explicit switch.
enum MicroKernel {
  static let rows = 4
  #if NEURALCORE_AVX512
  static let columns = 48
  static let summary = "4x48 register tile, SIMD16 (AVX-512) FMA"
  #else
  static let columns = 24
  static let summary = "4x24 register tile, SIMD8 (AVX2) FMA"
  #endif

  /// Copies one packed row of a B micro-panel (`columns` floats).
  @inline(__always)
  static func copyPanelRow(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    var j = 0
    while j < columns {
      store(load(source + j), destination + j)
      j += 8
    }
  }

  #if !NEURALCORE_AVX512

  /// Computes the tile and stores it to `c` (row stride `ldc`), adding to what is there when
  /// `accumulate` is true.
  @inline(__always)
  static func run(
    depth kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
  ) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()
    var ap = a
    var bp = b
    for _ in 0..<kc {
      let b0 = load(bp)
      let b1 = load(bp + 8)
      let b2 = load(bp + 16)
      var av = SIMD8<Float>(repeating: ap[0])
      c00 = c00.addingProduct(av, b0)
      c01 = c01.addingProduct(av, b1)
      c02 = c02.addingProduct(av, b2)
      av = SIMD8<Float>(repeating: ap[1])
      c10 = c10.addingProduct(av, b0)
      c11 = c11.addingProduct(av, b1)
      c12 = c12.addingProduct(av, b2)
      av = SIMD8<Float>(repeating: ap[2])
      c20 = c20.addingProduct(av, b0)
      c21 = c21.addingProduct(av, b1)
      c22 = c22.addingProduct(av, b2)
      av = SIMD8<Float>(repeating: ap[3])
      c30 = c30.addingProduct(av, b0)
      c31 = c31.addingProduct(av, b1)
      c32 = c32.addingProduct(av, b2)
      ap += 4
      bp += 24
    }
    if accumulate {
      storeAdding(c00, c01, c02, to: c)
      storeAdding(c10, c11, c12, to: c + ldc)
      storeAdding(c20, c21, c22, to: c + 2 * ldc)
      storeAdding(c30, c31, c32, to: c + 3 * ldc)
    } else {
      store(c00, c01, c02, to: c)
      store(c10, c11, c12, to: c + ldc)
      store(c20, c21, c22, to: c + 2 * ldc)
      store(c30, c31, c32, to: c + 3 * ldc)
    }
  }

  #endif

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  @inline(__always)
  private static func store(
    _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, to p: UnsafeMutablePointer<Float>
  ) {
    store(v0, p)
    store(v1, p + 8)
    store(v2, p + 16)
  }

  @inline(__always)
  private static func storeAdding(
    _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, to p: UnsafeMutablePointer<Float>
  ) {
    store(load(p) + v0, p)
    store(load(p + 8) + v1, p + 8)
    store(load(p + 16) + v2, p + 16)
  }
}
