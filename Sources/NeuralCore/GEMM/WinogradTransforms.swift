/// The three transforms of Winograd's minimal filtering algorithm F(2×2, 3×3) (Lavin and Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016, eq. 8):
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// for a 4×4 input patch d, a 3×3 filter g and a 2×2 output tile Y, with
///
///     Bᵀ = | 1  0 -1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |         | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
///          | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
///          | 0  1  0 -1 |         | 0    0    1  |
///
/// Summed over input channels, the element-wise product becomes 16 independent matrix
/// products, one per position ξ of the 4×4 transformed tile: M_ξ = U_ξ · V_ξ with U_ξ
/// (outputs × inputs) the transformed filters and V_ξ (inputs × tiles) the transformed input
/// patches. That is 16 multiply-adds per output tile per channel pair instead of 36: 2.25×
/// fewer. All constants are 0, ±1 and ±1/2, so the transforms add only rounding of the
/// additions themselves; the result differs from the direct sum by a few float ulps of the
/// terms' magnitudes (tested against the naive convolution to 1e-5 relative).
///
/// Layouts: V and M hold, for each position ξ (`positionStride` floats apart), a matrix with one
/// row per channel and one column per tile of the strip (numbered by `WinogradStrip`); V in the
/// packed layout the GEMM reads (`PrepackedRightOperand`), M row-major as the GEMM writes it.
enum WinogradTransforms {
  static let positions = 16

  /// The distance between the 16 matrices of one kind for `count` floats each: rounded up to
  /// 4 KiB plus one cache line, so that the transforms' 16 write (or read) streams fall in
  /// 16 different cache sets. (A plain multiple of 4 KiB, as 64 channels × 288 tiles is, puts
  /// them all in the same set of the 12-way L1 and they evict each other.)
  static func positionStride(_ count: Int) -> Int {
    (count + 1023) / 1024 * 1024 + 16
  }

  // MARK: Filters

  /// Writes U_ξ = (G g Gᵀ)_ξ for every (row, column) pair into 16 prepacked left operands
  /// (`PrepackedLeftOperand` layout, `positionStride` floats apart): row = an output of the
  /// convolution (`rows` of them), column = an input (`depth`). `filter(row, column)` returns
  /// where the pair's 9 taps g[ky·3 + kx] are, and whether to read them rotated by 180°
  /// (the filters of an input gradient). The four rows of a packed panel are transformed
  /// together, one per SIMD lane, and stored as one vector per position. Threads split the
  /// panels.
  static func transformFilters(
    rows m: Int, depth k: Int, into storage: UnsafeMutablePointer<Float>, positionStride: Int,
    parallel: Parallel, filter: (Int, Int) -> (UnsafePointer<Float>, flipped: Bool)
  ) {
    let mr = MicroKernel.rows
    let padded = PrepackedLeftOperand.paddedRows(m)
    let blocks = GEMMBlocking.depthBlocks(k)
    parallel.forEachRange(count: padded / mr) { panels in
      for panel in panels {
        let panelRow = panel * mr
        for block in 0..<blocks.count {
          let range = blocks.range(block)
          let base = storage + range.lowerBound * padded + panelRow * range.count
          for kk in 0..<range.count {
            var taps = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(),
                        SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
            for r in 0..<mr where panelRow + r < m {
              let (g, flipped) = filter(panelRow + r, range.lowerBound + kk)
              @inline(__always) func tap(_ t: Int) -> Float { flipped ? g[8 - t] : g[t] }
              taps.0[r] = tap(0); taps.1[r] = tap(1); taps.2[r] = tap(2)
              taps.3[r] = tap(3); taps.4[r] = tap(4); taps.5[r] = tap(5)
              taps.6[r] = tap(6); taps.7[r] = tap(7); taps.8[r] = tap(8)
            }
            transformFilterLanes(taps, into: base + kk * mr, positionStride: positionStride)
          }
        }
      }
    }
  }

  /// U = G g Gᵀ of four filters at once (lane = filter), taps in row-major order; U_ξ stored
  /// at `destination + ξ · positionStride`.
  @inline(__always)
  private static func transformFilterLanes(
    _ g: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>,
          SIMD4<Float>, SIMD4<Float>, SIMD4<Float>),
    into destination: UnsafeMutablePointer<Float>, positionStride: Int
  ) {
    let half = SIMD4<Float>(repeating: 0.5)
    // G g: column x of g becomes (g0x, (g0x + g1x + g2x)/2, (g0x − g1x + g2x)/2, g2x).
    @inline(__always) func gColumn(_ g0: SIMD4<Float>, _ g1: SIMD4<Float>, _ g2: SIMD4<Float>)
      -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
    {
      (g0, half * (g0 + g1 + g2), half * (g0 - g1 + g2), g2)
    }
    let c0 = gColumn(g.0, g.3, g.6)
    let c1 = gColumn(g.1, g.4, g.7)
    let c2 = gColumn(g.2, g.5, g.8)
    // (G g) Gᵀ: the same combination along each row r of G g.
    @inline(__always) func store(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, row r: Int) {
      let u = gColumn(a, b, c)
      let p = destination + 4 * r * positionStride
      UnsafeMutableRawPointer(p).storeBytes(of: u.0, as: SIMD4<Float>.self)
      UnsafeMutableRawPointer(p + positionStride).storeBytes(of: u.1, as: SIMD4<Float>.self)
      UnsafeMutableRawPointer(p + 2 * positionStride).storeBytes(of: u.2, as: SIMD4<Float>.self)
      UnsafeMutableRawPointer(p + 3 * positionStride).storeBytes(of: u.3, as: SIMD4<Float>.self)
    }
    store(c0.0, c1.0, c2.0, row: 0)
    store(c0.1, c1.1, c2.1, row: 1)
    store(c0.2, c1.2, c2.2, row: 2)
    store(c0.3, c1.3, c2.3, row: 3)
  }

  // MARK: Input

  /// V = Bᵀ d B for the tiles of `strip` and the channels `channels` of `input`, written into
  /// 16 matrices (`positionStride` floats apart) laid out as `layout` says: straight into the
  /// packed operand of the forward product, or row-major for the weight gradient.
  static func transformInput(
    _ input: ChannelConcatenation, channels: Range<Int>, strip: WinogradStrip,
    into v: UnsafeMutablePointer<Float>, positionStride: Int, layout: WinogradMatrixLayout
  ) {
    for c in channels {
      let (plane, rowStride) = input.channel(c)
      let (rowOffset, blockDepth) = layout.row(c)
      let row = v + rowOffset
      for r in 0..<strip.tileRows.count {
        let patches = UnsafePointer(plane + 2 * (strip.tileRows.lowerBound + r) * rowStride)
        var tx = 0
        while tx < strip.tilesX {
          let column = strip.column(row: r, tx: tx)
          let destination = row + layout.columnOffset(column, blockDepth: blockDepth)
          if tx < strip.vectorTiles {
            transformEightTiles(patches + 2 * tx, rowStride: rowStride, into: destination, positionStride: positionStride)
            tx += 8
          } else {
            transformOneTile(patches + 2 * tx, rowStride: rowStride, into: destination, positionStride: positionStride)
            tx += 1
          }
        }
      }
    }
  }

  /// Bᵀ applied to four values (a row or a column of the patch).
  @inline(__always)
  private static func inputCombination<V: SIMD>(_ d0: V, _ d1: V, _ d2: V, _ d3: V) -> (V, V, V, V)
  where V.Scalar: FloatingPoint {
    (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
  }

  @inline(__always)
  private static func inputCombination(_ d0: Float, _ d1: Float, _ d2: Float, _ d3: Float)
    -> (Float, Float, Float, Float)
  {
    (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
  }

  /// Eight horizontally adjacent tiles at once: their patches start 2 columns apart, so the
  /// patch columns 0…3 of the eight tiles are the even and odd lanes of two 16-wide loads.
  @inline(__always)
  private static func transformEightTiles(
    _ p: UnsafePointer<Float>, rowStride: Int, into v: UnsafeMutablePointer<Float>, positionStride: Int
  ) {
    @inline(__always) func columns(_ row: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
      let a = UnsafeRawPointer(row).loadUnaligned(as: SIMD16<Float>.self)
      let b = UnsafeRawPointer(row + 2).loadUnaligned(as: SIMD16<Float>.self)
      return inputCombination(a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
    }
    let r0 = columns(p)
    let r1 = columns(p + rowStride)
    let r2 = columns(p + 2 * rowStride)
    let r3 = columns(p + 3 * rowStride)
    @inline(__always) func store(_ x: SIMD8<Float>, _ xi: Int) {
      MicroKernel.store(x, v + xi * positionStride)
    }
    var (a, b, c, d) = inputCombination(r0.0, r1.0, r2.0, r3.0)
    store(a, 0); store(b, 4); store(c, 8); store(d, 12)
    (a, b, c, d) = inputCombination(r0.1, r1.1, r2.1, r3.1)
    store(a, 1); store(b, 5); store(c, 9); store(d, 13)
    (a, b, c, d) = inputCombination(r0.2, r1.2, r2.2, r3.2)
    store(a, 2); store(b, 6); store(c, 10); store(d, 14)
    (a, b, c, d) = inputCombination(r0.3, r1.3, r2.3, r3.3)
    store(a, 3); store(b, 7); store(c, 11); store(d, 15)
  }

  @inline(__always)
  private static func transformOneTile(
    _ p: UnsafePointer<Float>, rowStride: Int, into v: UnsafeMutablePointer<Float>, positionStride: Int
  ) {
    @inline(__always) func row(_ y: Int) -> SIMD4<Float> {
      let r = p + y * rowStride
      return SIMD4<Float>(r[0], r[1], r[2], r[3])
    }
    // Rows first (Bᵀ d), then the columns of the result (· B).
    let (t0, t1, t2, t3) = inputCombination(row(0), row(1), row(2), row(3))
    @inline(__always) func store(_ t: SIMD4<Float>, row i: Int) {
      let (a, b, c, d) = inputCombination(t[0], t[1], t[2], t[3])
      v[(i * 4) * positionStride] = a
      v[(i * 4 + 1) * positionStride] = b
      v[(i * 4 + 2) * positionStride] = c
      v[(i * 4 + 3) * positionStride] = d
    }
    store(t0, row: 0)
    store(t1, row: 1)
    store(t2, row: 2)
    store(t3, row: 3)
  }

  // MARK: Output

  /// Y = Aᵀ M A for output channels `channels` of the strip (M: per position, a row-major
  /// matrix with `rowStride` columns per channel), written (or added, when `accumulate`) to
  /// `output`'s dense planes of `outWidth` columns, with its bias and ReLU.
  static func transformOutput(
    _ m: UnsafePointer<Float>, positionStride: Int, rowStride: Int, channels: Range<Int>,
    strip: WinogradStrip, outWidth: Int, into output: RowsOutput, accumulate: Bool
  ) {
    for c in channels {
      let plane = output.rowPointer(c)
      let bias = output.bias.map { $0[c] } ?? 0
      let source = m + c * rowStride
      for r in 0..<strip.tileRows.count {
        let top = plane + 2 * (strip.tileRows.lowerBound + r) * outWidth
        var tx = 0
        while tx < strip.vectorTiles {
          var y = outputEightTiles(source + strip.column(row: r, tx: tx), positionStride: positionStride)
          if !accumulate {
            y = finishRows(y, bias: bias, relu: output.relu)
          }
          storeInterleaved(y.0, y.1, to: top + 2 * tx, accumulate: accumulate)
          storeInterleaved(y.2, y.3, to: top + outWidth + 2 * tx, accumulate: accumulate)
          tx += 8
        }
        while tx < strip.tilesX {
          let y = outputOneTile(source + strip.column(row: r, tx: tx), positionStride: positionStride)
          let p = top + 2 * tx
          if accumulate {
            p[0] += y.0
            p[1] += y.1
            p[outWidth] += y.2
            p[outWidth + 1] += y.3
          } else {
            @inline(__always) func finish(_ v: Float) -> Float {
              output.relu ? Swift.max(v + bias, 0) : v + bias
            }
            p[0] = finish(y.0)
            p[1] = finish(y.1)
            p[outWidth] = finish(y.2)
            p[outWidth + 1] = finish(y.3)
          }
          tx += 1
        }
      }
    }
  }

  /// Aᵀ applied to four values.
  @inline(__always)
  private static func outputCombination<V: SIMD>(_ m0: V, _ m1: V, _ m2: V, _ m3: V) -> (V, V)
  where V.Scalar: FloatingPoint {
    (m0 + m1 + m2, m1 - m2 - m3)
  }

  @inline(__always)
  private static func outputCombination(_ m0: Float, _ m1: Float, _ m2: Float, _ m3: Float) -> (Float, Float) {
    (m0 + m1 + m2, m1 - m2 - m3)
  }

  /// The 2×2 outputs (y00, y01, y10, y11) of eight adjacent tiles, one lane per tile.
  @inline(__always)
  private static func outputEightTiles(_ m: UnsafePointer<Float>, positionStride: Int)
    -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
  {
    @inline(__always) func load(_ xi: Int) -> SIMD8<Float> { MicroKernel.load(m + xi * positionStride) }
    // Columns first: for each row i of M, (Σ, −) over its columns.
    let (a0, b0) = outputCombination(load(0), load(1), load(2), load(3))
    let (a1, b1) = outputCombination(load(4), load(5), load(6), load(7))
    let (a2, b2) = outputCombination(load(8), load(9), load(10), load(11))
    let (a3, b3) = outputCombination(load(12), load(13), load(14), load(15))
    let (y00, y10) = outputCombination(a0, a1, a2, a3)
    let (y01, y11) = outputCombination(b0, b1, b2, b3)
    return (y00, y01, y10, y11)
  }

  @inline(__always)
  private static func outputOneTile(_ m: UnsafePointer<Float>, positionStride: Int) -> (Float, Float, Float, Float) {
    @inline(__always) func row(_ i: Int) -> SIMD4<Float> {
      SIMD4<Float>(
        m[(4 * i) * positionStride], m[(4 * i + 1) * positionStride], m[(4 * i + 2) * positionStride],
        m[(4 * i + 3) * positionStride])
    }
    let (a, b) = outputCombination(row(0), row(1), row(2), row(3))
    let (y00, y01) = outputCombination(a[0], a[1], a[2], a[3])
    let (y10, y11) = outputCombination(b[0], b[1], b[2], b[3])
    return (y00, y01, y10, y11)
  }

  @inline(__always)
  private static func finishRows(
    _ y: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), bias: Float, relu: Bool
  ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    let b = SIMD8<Float>(repeating: bias)
    @inline(__always) func f(_ v: SIMD8<Float>) -> SIMD8<Float> {
      let x = v + b
      return relu ? x.replacing(with: 0, where: x .< 0) : x
    }
    return (f(y.0), f(y.1), f(y.2), f(y.3))
  }

  /// Stores `even[j]` at p[2j] and `odd[j]` at p[2j + 1] (16 consecutive floats).
  @inline(__always)
  private static func storeInterleaved(
    _ even: SIMD8<Float>, _ odd: SIMD8<Float>, to p: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    let low = SIMD8<Float>(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3])
    let high = SIMD8<Float>(even[4], odd[4], even[5], odd[5], even[6], odd[6], even[7], odd[7])
    if accumulate {
      MicroKernel.store(MicroKernel.load(p) + low, p)
      MicroKernel.store(MicroKernel.load(p + 8) + high, p + 8)
    } else {
      MicroKernel.store(low, p)
      MicroKernel.store(high, p + 8)
    }
  }
}
