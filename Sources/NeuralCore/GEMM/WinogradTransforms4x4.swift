/// The three transforms of Winograd's minimal filtering algorithm F(4×4, 3×3) (Lavin and Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016, section 4.2):
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// for a 6×6 input patch d, a 3×3 filter g and a 4×4 output tile Y. With Lavin and Gray's
/// interpolation points 0, ±1, ±2 (and ∞; `WinogradPointsTwo`):
///
///     Bᵀ = | 4  0 -5  0  1  0 |   G = |  1/4     0     0   |   Aᵀ = | 1  1  1  1  1  0 |
///          | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6  |        | 0  1 -1  2 -2  0 |
///          | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6  |        | 0  1  1  4  4  0 |
///          | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6  |        | 0  1 -1  8 -8  1 |
///          | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6  |
///          | 0  4  0 -5  0  1 |       |  0     0     1    |
///
/// `Points` supplies the one-dimensional G, Bᵀ and Aᵀ (`WinogradPoints4x4`); the U-Net uses
/// the points 0, ±1, 2, −1/2 (`WinogradPointsMixed`), measured the most accurate.
///
/// Summed over input channels, the element-wise product becomes 36 matrix products, one per
/// position ξ = 6i + j of the transformed tile (i its row): M_ξ = U_ξ · V_ξ. That is 36
/// multiply-adds per 4×4 output tile per channel pair instead of 144: 4× fewer (F(2×2): 2.25×).
/// The price is accuracy: the constants (up to 8 in Aᵀ) amplify the rounding of the float
/// products; measured against the direct sum in Double (`WinogradF4AccuracyTests`) the error
/// is 5–20× that of F(2×2), depending on the points. The filter transform runs in Double and
/// rounds once, which removes the filters' share of the error.
///
/// Layouts as in `WinogradTransforms` (F(2×2)): U in 36 prepacked left operands, V in 36
/// packed right operands, M row-major, `positionStride` floats apart. Tiles are numbered by
/// `WinogradStrip`; an output of 4t + 2 pixels (always even: `WinogradConvolution.applies`)
/// ends in a half tile, whose patch is read with zeros beyond the map and whose outputs
/// beyond the map are not written.
enum WinogradTransforms4x4<Points: WinogradPoints4x4> {
  static var positions: Int { 36 }

  // MARK: Filters

  /// Writes U_ξ = (G g Gᵀ)_ξ for every (row, column) pair into 36 prepacked left operands, as
  /// `WinogradTransforms.transformFilters` does for F(2×2) (same arguments). Computed in
  /// Double, rounded to Float once.
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
            var taps = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(),
                        SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
            for r in 0..<mr where panelRow + r < m {
              let (g, flipped) = filter(panelRow + r, range.lowerBound + kk)
              @inline(__always) func tap(_ t: Int) -> Double { Double(flipped ? g[8 - t] : g[t]) }
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

  /// U = G g Gᵀ of four filters at once (lane = filter), taps row-major; U_ξ stored at
  /// `destination + ξ · positionStride`.
  @inline(__always)
  private static func transformFilterLanes(
    _ g: (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>,
          SIMD4<Double>, SIMD4<Double>, SIMD4<Double>),
    into destination: UnsafeMutablePointer<Float>, positionStride: Int
  ) {
    // G g: column x of g (taps x, 3 + x, 6 + x) becomes column x of the 6 × 3 matrix G g.
    let c0 = Points.filterCombination(g.0, g.3, g.6)
    let c1 = Points.filterCombination(g.1, g.4, g.7)
    let c2 = Points.filterCombination(g.2, g.5, g.8)
    // (G g) Gᵀ: the same combination along each row i of G g.
    @inline(__always) func store(_ a: SIMD4<Double>, _ b: SIMD4<Double>, _ c: SIMD4<Double>, row i: Int) {
      let u = Points.filterCombination(a, b, c)
      @inline(__always) func put(_ x: SIMD4<Double>, _ j: Int) {
        UnsafeMutableRawPointer(destination + (6 * i + j) * positionStride)
          .storeBytes(of: SIMD4<Float>(x), as: SIMD4<Float>.self)
      }
      put(u.0, 0); put(u.1, 1); put(u.2, 2); put(u.3, 3); put(u.4, 4); put(u.5, 5)
    }
    store(c0.0, c1.0, c2.0, row: 0)
    store(c0.1, c1.1, c2.1, row: 1)
    store(c0.2, c1.2, c2.2, row: 2)
    store(c0.3, c1.3, c2.3, row: 3)
    store(c0.4, c1.4, c2.4, row: 4)
    store(c0.5, c1.5, c2.5, row: 5)
  }

  // MARK: Input

  /// V = Bᵀ d B for the tiles of `strip` and the channels `channels` of `input`, written into
  /// 36 matrices (`positionStride` floats apart) laid out as `layout` says.
  static func transformInput(
    _ input: ChannelConcatenation, channels: Range<Int>, strip: WinogradStrip,
    into v: UnsafeMutablePointer<Float>, positionStride: Int, layout: WinogradMatrixLayout
  ) {
    let height = input.height
    let width = input.width
    for c in channels {
      let (plane, rowStride) = input.channel(c)
      let (rowOffset, blockDepth) = layout.row(c)
      let row = v + rowOffset
      for r in 0..<strip.tileRows.count {
        let top = 4 * (strip.tileRows.lowerBound + r)
        let patches = UnsafePointer(plane + top * rowStride)
        let wholeRow = top + 6 <= height
        var tx = 0
        while tx < strip.tilesX {
          let destination = row + layout.columnOffset(strip.column(row: r, tx: tx), blockDepth: blockDepth)
          if wholeRow && tx < strip.vectorTiles {
            transformEightTiles(patches + 4 * tx, rowStride: rowStride, into: destination, positionStride: positionStride)
            tx += 8
          } else {
            transformOneTile(
              patches + 4 * tx, rowStride: rowStride, rows: Swift.min(6, height - top),
              columns: Swift.min(6, width - 4 * tx), into: destination, positionStride: positionStride)
            tx += 1
          }
        }
      }
    }
  }

  /// Eight horizontally adjacent whole tiles: their patches start 4 columns apart, so patch
  /// column c of the eight is lanes c, c + 4, … of a 32-wide load (c = 4, 5 from a second load
  /// 2 further, which ends exactly at the last tile's last column).
  @inline(__always)
  private static func transformEightTiles(
    _ p: UnsafePointer<Float>, rowStride: Int, into v: UnsafeMutablePointer<Float>, positionStride: Int
  ) {
    typealias Six = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    // Each patch row's columns, transformed along the row (d B).
    @inline(__always) func row(_ y: Int) -> Six {
      let q = p + y * rowStride
      let a = UnsafeRawPointer(q).loadUnaligned(as: SIMD32<Float>.self)
      let b = UnsafeRawPointer(q + 2).loadUnaligned(as: SIMD32<Float>.self)
      return Points.inputCombination(
        a.evenHalf.evenHalf, a.oddHalf.evenHalf, a.evenHalf.oddHalf, a.oddHalf.oddHalf,
        b.evenHalf.oddHalf, b.oddHalf.oddHalf)
    }
    let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5)
    // Bᵀ along the columns: position (i, j) from element j of the six rows.
    @inline(__always) func column(_ j: Int, _ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>,
                                  _ d3: SIMD8<Float>, _ d4: SIMD8<Float>, _ d5: SIMD8<Float>) {
      let t = Points.inputCombination(d0, d1, d2, d3, d4, d5)
      MicroKernel.store(t.0, v + j * positionStride)
      MicroKernel.store(t.1, v + (6 + j) * positionStride)
      MicroKernel.store(t.2, v + (12 + j) * positionStride)
      MicroKernel.store(t.3, v + (18 + j) * positionStride)
      MicroKernel.store(t.4, v + (24 + j) * positionStride)
      MicroKernel.store(t.5, v + (30 + j) * positionStride)
    }
    column(0, r0.0, r1.0, r2.0, r3.0, r4.0, r5.0)
    column(1, r0.1, r1.1, r2.1, r3.1, r4.1, r5.1)
    column(2, r0.2, r1.2, r2.2, r3.2, r4.2, r5.2)
    column(3, r0.3, r1.3, r2.3, r3.3, r4.3, r5.3)
    column(4, r0.4, r1.4, r2.4, r3.4, r4.4, r5.4)
    column(5, r0.5, r1.5, r2.5, r3.5, r4.5, r5.5)
  }

  /// One tile whose patch has `rows` × `columns` (≤ 6) pixels inside the map, zero beyond.
  @inline(__always)
  private static func transformOneTile(
    _ p: UnsafePointer<Float>, rowStride: Int, rows: Int, columns: Int,
    into v: UnsafeMutablePointer<Float>, positionStride: Int
  ) {
    // Each row transformed along the row (d B), one position j per lane.
    @inline(__always) func row(_ y: Int) -> SIMD8<Float> {
      guard y < rows else { return SIMD8<Float>() }
      let q = p + y * rowStride
      @inline(__always) func d(_ x: Int) -> Float { x < columns ? q[x] : 0 }
      let t = Points.inputCombination(d(0), d(1), d(2), d(3), d(4), d(5))
      return SIMD8<Float>(t.0, t.1, t.2, t.3, t.4, t.5, 0, 0)
    }
    let t = Points.inputCombination(row(0), row(1), row(2), row(3), row(4), row(5))
    @inline(__always) func store(_ x: SIMD8<Float>, row i: Int) {
      for j in 0..<6 { v[(6 * i + j) * positionStride] = x[j] }
    }
    store(t.0, row: 0)
    store(t.1, row: 1)
    store(t.2, row: 2)
    store(t.3, row: 3)
    store(t.4, row: 4)
    store(t.5, row: 5)
  }

  // MARK: Output

  /// Y = Aᵀ M A for output channels `channels` of the strip (M: per position, a row-major
  /// matrix with `rowStride` columns per channel), written to `output`'s dense planes of
  /// `outHeight` × `outWidth` with its bias and ReLU.
  static func transformOutput(
    _ m: UnsafePointer<Float>, positionStride: Int, rowStride: Int, channels: Range<Int>,
    strip: WinogradStrip, outHeight: Int, outWidth: Int, into output: RowsOutput
  ) {
    for c in channels {
      let plane = output.rowPointer(c)
      let bias = output.bias.map { $0[c] } ?? 0
      let source = m + c * rowStride
      for r in 0..<strip.tileRows.count {
        let top = 4 * (strip.tileRows.lowerBound + r)
        let rows = Swift.min(4, outHeight - top)
        let destination = plane + top * outWidth
        var tx = 0
        while tx < strip.tilesX {
          let tile = source + strip.column(row: r, tx: tx)
          if rows == 4 && tx < strip.vectorTiles {
            outputEightTiles(
              tile, positionStride: positionStride, to: destination + 4 * tx, outWidth: outWidth, bias: bias,
              relu: output.relu)
            tx += 8
          } else {
            outputOneTile(
              tile, positionStride: positionStride, to: destination + 4 * tx, outWidth: outWidth, rows: rows,
              columns: Swift.min(4, outWidth - 4 * tx), bias: bias, relu: output.relu)
            tx += 1
          }
        }
      }
    }
  }

  /// The 4×4 outputs of eight adjacent whole tiles (one lane per tile), stored row by row as
  /// 32 consecutive floats each.
  @inline(__always)
  private static func outputEightTiles(
    _ m: UnsafePointer<Float>, positionStride: Int, to p: UnsafeMutablePointer<Float>, outWidth: Int,
    bias: Float, relu: Bool
  ) {
    @inline(__always) func load(_ xi: Int) -> SIMD8<Float> { MicroKernel.load(m + xi * positionStride) }
    // Along each row i of M (· A): four values per row.
    @inline(__always) func row(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
      Points.outputCombination(load(6 * i), load(6 * i + 1), load(6 * i + 2), load(6 * i + 3), load(6 * i + 4), load(6 * i + 5))
    }
    let h0 = row(0), h1 = row(1), h2 = row(2), h3 = row(3), h4 = row(4), h5 = row(5)
    // Aᵀ down the columns: column b of Y.
    let c0 = Points.outputCombination(h0.0, h1.0, h2.0, h3.0, h4.0, h5.0)
    let c1 = Points.outputCombination(h0.1, h1.1, h2.1, h3.1, h4.1, h5.1)
    let c2 = Points.outputCombination(h0.2, h1.2, h2.2, h3.2, h4.2, h5.2)
    let c3 = Points.outputCombination(h0.3, h1.3, h2.3, h3.3, h4.3, h5.3)
    let b = SIMD8<Float>(repeating: bias)
    @inline(__always) func finish(_ v: SIMD8<Float>) -> SIMD8<Float> {
      let x = v + b
      return relu ? x.replacing(with: 0, where: x .< 0) : x
    }
    storeRow(finish(c0.0), finish(c1.0), finish(c2.0), finish(c3.0), to: p)
    storeRow(finish(c0.1), finish(c1.1), finish(c2.1), finish(c3.1), to: p + outWidth)
    storeRow(finish(c0.2), finish(c1.2), finish(c2.2), finish(c3.2), to: p + 2 * outWidth)
    storeRow(finish(c0.3), finish(c1.3), finish(c2.3), finish(c3.3), to: p + 3 * outWidth)
  }

  /// Stores y_b[t] at p[4t + b] (32 consecutive floats: eight tiles' rows of four).
  @inline(__always)
  private static func storeRow(
    _ y0: SIMD8<Float>, _ y1: SIMD8<Float>, _ y2: SIMD8<Float>, _ y3: SIMD8<Float>, to p: UnsafeMutablePointer<Float>
  ) {
    // interleave(interleave(y0, y2), interleave(y1, y3)) puts y_b[t] at 4t + b.
    let even = interleave(y0, y2)
    let odd = interleave(y1, y3)
    let raw = UnsafeMutableRawPointer(p)
    raw.storeBytes(of: interleave(even.lowHalf, odd.lowHalf), as: SIMD16<Float>.self)
    raw.storeBytes(of: interleave(even.highHalf, odd.highHalf), toByteOffset: 64, as: SIMD16<Float>.self)
  }

  /// (a0, b0, a1, b1, …, a7, b7).
  @inline(__always)
  private static func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
    SIMD16<Float>(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
  }

  /// One tile of which `rows` × `columns` outputs lie inside the map.
  @inline(__always)
  private static func outputOneTile(
    _ m: UnsafePointer<Float>, positionStride: Int, to p: UnsafeMutablePointer<Float>, outWidth: Int,
    rows: Int, columns: Int, bias: Float, relu: Bool
  ) {
    // Along each row i of M: a vector of its four results (lane = output column b).
    @inline(__always) func row(_ i: Int) -> SIMD4<Float> {
      @inline(__always) func e(_ j: Int) -> Float { m[(6 * i + j) * positionStride] }
      let h = Points.outputCombination(e(0), e(1), e(2), e(3), e(4), e(5))
      return SIMD4<Float>(h.0, h.1, h.2, h.3)
    }
    let y = Points.outputCombination(row(0), row(1), row(2), row(3), row(4), row(5))
    @inline(__always) func store(_ values: SIMD4<Float>, row a: Int) {
      guard a < rows else { return }
      for b in 0..<columns {
        let x = values[b] + bias
        p[a * outWidth + b] = relu ? Swift.max(x, 0) : x
      }
    }
    store(y.0, row: 0)
    store(y.1, row: 1)
    store(y.2, row: 2)
    store(y.3, row: 3)
  }
}
