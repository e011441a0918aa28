#if NEURALCORE_AVX512
/// The AVX-512 register tile: C[4×48] (+)= A[4×kc] · B[kc×48] in twelve `SIMD16<Float>`
/// accumulators (4 rows × 3 vectors of 16 columns, one zmm register each). Per depth step it
/// loads three vectors of B, broadcasts four scalars of A and issues twelve 16-wide fused
/// multiply-adds: twice the work per instruction of the 8-wide tile. Same packed layouts as
/// the 8-wide kernel (`MicroKernel`), with 48-column B panels.
extension MicroKernel {
  @inline(__always)
  static func run(
    depth kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
  ) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c02 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>(), c12 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c22 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>(), c32 = SIMD16<Float>()
    var ap = a
    var bp = b
    for _ in 0..<kc {
      let b0 = wide(bp)
      let b1 = wide(bp + 16)
      let b2 = wide(bp + 32)
      var av = SIMD16<Float>(repeating: ap[0])
      c00 = c00.addingProduct(av, b0)
      c01 = c01.addingProduct(av, b1)
      c02 = c02.addingProduct(av, b2)
      av = SIMD16<Float>(repeating: ap[1])
      c10 = c10.addingProduct(av, b0)
      c11 = c11.addingProduct(av, b1)
      c12 = c12.addingProduct(av, b2)
      av = SIMD16<Float>(repeating: ap[2])
      c20 = c20.addingProduct(av, b0)
      c21 = c21.addingProduct(av, b1)
      c22 = c22.addingProduct(av, b2)
      av = SIMD16<Float>(repeating: ap[3])
      c30 = c30.addingProduct(av, b0)
      c31 = c31.addingProduct(av, b1)
      c32 = c32.addingProduct(av, b2)
      ap += 4
      bp += 48
    }
    storeRow(c00, c01, c02, to: c, accumulate: accumulate)
    storeRow(c10, c11, c12, to: c + ldc, accumulate: accumulate)
    storeRow(c20, c21, c22, to: c + 2 * ldc, accumulate: accumulate)
    storeRow(c30, c31, c32, to: c + 3 * ldc, accumulate: accumulate)
  }

  @inline(__always)
  private static func wide(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  private static func storeRow(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ v2: SIMD16<Float>, to p: UnsafeMutablePointer<Float>,
    accumulate: Bool
  ) {
    let raw = UnsafeMutableRawPointer(p)
    if accumulate {
      raw.storeBytes(of: wide(p) + v0, as: SIMD16<Float>.self)
      raw.storeBytes(of: wide(p + 16) + v1, toByteOffset: 64, as: SIMD16<Float>.self)
      raw.storeBytes(of: wide(p + 32) + v2, toByteOffset: 128, as: SIMD16<Float>.self)
    } else {
      raw.storeBytes(of: v0, as: SIMD16<Float>.self)
      raw.storeBytes(of: v1, toByteOffset: 64, as: SIMD16<Float>.self)
      raw.storeBytes(of: v2, toByteOffset: 128, as: SIMD16<Float>.self)
    }
  }
}
#endif
