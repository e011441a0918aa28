/// The transforms of the weight gradient through F(2×2, 3×3) (`WinogradTransforms`).
///
/// With Y = Aᵀ [(G g Gᵀ) ⊙ V] A per tile and channel pair, the chain rule through these linear
/// maps gives, exactly,
///
///     dU = Σ_tiles (A dY Aᵀ) ⊙ V,        dg = Gᵀ dU G
///
/// so the weight gradient is 16 products dU_ξ = dZ_ξ · V_ξᵀ (outputs × inputs, summed over
/// tiles) between the transformed output gradient dZ = A dY Aᵀ and the transformed input V:
/// again 2.25× fewer multiply-adds than the direct Σ_pixels dY · im2col(in).
enum WinogradGradientTransforms {
  // MARK: Output gradient

  /// dZ = A dY Aᵀ for the 2×2 tiles of `strip` and channels `channels` of `gradient` (the
  /// gradient before the activation), into 16 row-major matrices (row = channel, `rowStride`
  /// floats; column = tile as numbered by `WinogradStrip`), `positionStride` floats apart.
  static func transformOutputGradient(
    _ gradient: FeatureMapView, channels: Range<Int>, strip: WinogradStrip,
    into z: UnsafeMutablePointer<Float>, positionStride: Int, rowStride: Int
  ) {
    for c in channels {
      let plane = gradient.channel(c)
      let row = z + c * rowStride
      for r in 0..<strip.tileRows.count {
        let top = UnsafePointer(plane + 2 * (strip.tileRows.lowerBound + r) * gradient.rowStride)
        var tx = 0
        while tx < strip.vectorTiles {
          let upper = UnsafeRawPointer(top + 2 * tx).loadUnaligned(as: SIMD16<Float>.self)
          let lower = UnsafeRawPointer(top + gradient.rowStride + 2 * tx).loadUnaligned(as: SIMD16<Float>.self)
          store(
            upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf,
            to: row + strip.column(row: r, tx: tx), positionStride: positionStride)
          tx += 8
        }
        while tx < strip.tilesX {
          let p = top + 2 * tx
          let q = p + gradient.rowStride
          store(p[0], p[1], q[0], q[1], to: row + strip.column(row: r, tx: tx), positionStride: positionStride)
          tx += 1
        }
      }
    }
  }

  /// A applied to two values: (a, a + b, a − b, −b).
  @inline(__always)
  private static func expand<V: SIMD>(_ a: V, _ b: V) -> (V, V, V, V) where V.Scalar: FloatingPoint {
    (a, a + b, a - b, V() - b)
  }

  @inline(__always)
  private static func expand(_ a: Float, _ b: Float) -> (Float, Float, Float, Float) {
    (a, a + b, a - b, -b)
  }

  /// Stores dZ of tiles with outputs (y00, y01 / y10, y11).
  @inline(__always)
  private static func store<V: SIMD>(
    _ y00: V, _ y01: V, _ y10: V, _ y11: V, to z: UnsafeMutablePointer<Float>, positionStride: Int
  ) where V.Scalar == Float {
    // Rows (A dY): z_i = (y0, y0 + y1, y0 − y1, −y1) for each column; then columns (· Aᵀ).
    let rows0 = expand(y00, y10)
    let rows1 = expand(y01, y11)
    @inline(__always) func put(_ a: V, _ b: V, row i: Int) {
      let (c0, c1, c2, c3) = expand(a, b)
      let p = z + 4 * i * positionStride
      UnsafeMutableRawPointer(p).storeBytes(of: c0, as: V.self)
      UnsafeMutableRawPointer(p + positionStride).storeBytes(of: c1, as: V.self)
      UnsafeMutableRawPointer(p + 2 * positionStride).storeBytes(of: c2, as: V.self)
      UnsafeMutableRawPointer(p + 3 * positionStride).storeBytes(of: c3, as: V.self)
    }
    put(rows0.0, rows1.0, row: 0)
    put(rows0.1, rows1.1, row: 1)
    put(rows0.2, rows1.2, row: 2)
    put(rows0.3, rows1.3, row: 3)
  }

  @inline(__always)
  private static func store(
    _ y00: Float, _ y01: Float, _ y10: Float, _ y11: Float, to z: UnsafeMutablePointer<Float>,
    positionStride: Int
  ) {
    let rows0 = expand(y00, y10)
    let rows1 = expand(y01, y11)
    @inline(__always) func put(_ a: Float, _ b: Float, row i: Int) {
      let (c0, c1, c2, c3) = expand(a, b)
      let p = z + 4 * i * positionStride
      p[0] = c0
      p[positionStride] = c1
      p[2 * positionStride] = c2
      p[3 * positionStride] = c3
    }
    put(rows0.0, rows1.0, row: 0)
    put(rows0.1, rows1.1, row: 1)
    put(rows0.2, rows1.2, row: 2)
    put(rows0.3, rows1.3, row: 3)
  }

  // MARK: Filters

  /// dg = Gᵀ dU G for the (output, input) pairs of output rows `rows`, where dU is the sum
  /// (in group order) of `groups` partial sums `groupStride` floats apart, each holding
  /// dU_ξ[o][i] at `ξ · positionStride + o · inputs + i`; dg written to
  /// `weightGradient[(o · inputs + i) · 9 + ky · 3 + kx]`.
  static func transformFilterGradient(
    _ du: UnsafePointer<Float>, positionStride: Int, groups: Int, groupStride: Int, rows: Range<Int>,
    inputs: Int, into weightGradient: UnsafeMutablePointer<Float>
  ) {
    // Gᵀ applied to four values: (u0 + (u1 + u2)/2, (u1 − u2)/2, (u1 + u2)/2 + u3).
    @inline(__always) func shrink(_ u0: Float, _ u1: Float, _ u2: Float, _ u3: Float) -> (Float, Float, Float) {
      let sum = 0.5 * (u1 + u2)
      return (u0 + sum, 0.5 * (u1 - u2), sum + u3)
    }
    for o in rows {
      for i in 0..<inputs {
        let source = du + o * inputs + i
        @inline(__always) func u(_ xi: Int) -> Float {
          var sum = source[xi * positionStride]
          for group in 1..<groups { sum += source[group * groupStride + xi * positionStride] }
          return sum
        }
        // Rows of Gᵀ dU (3 × 4), column by column; then the columns of that (· G).
        let t0 = shrink(u(0), u(4), u(8), u(12))
        let t1 = shrink(u(1), u(5), u(9), u(13))
        let t2 = shrink(u(2), u(6), u(10), u(14))
        let t3 = shrink(u(3), u(7), u(11), u(15))
        let w = weightGradient + (o * inputs + i) * 9
        let r0 = shrink(t0.0, t1.0, t2.0, t3.0)
        let r1 = shrink(t0.1, t1.1, t2.1, t3.1)
        let r2 = shrink(t0.2, t1.2, t2.2, t3.2)
        w[0] = r0.0; w[1] = r0.1; w[2] = r0.2
        w[3] = r1.0; w[4] = r1.1; w[5] = r1.2
        w[6] = r2.0; w[7] = r2.1; w[8] = r2.2
      }
    }
  }
}
