/// The one-dimensional transforms of F(4, 3) for one choice of interpolation points: G on three
/// filter taps, Bᵀ on six input values, Aᵀ on six products (Lavin and Gray 2016, section 4;
/// the Toom-Cook construction: Aᵀ[i][j] = p_jⁱ, G[j][k] = p_jᵏ / Π_{l≠j} (p_j − p_l), row j
/// of Bᵀ the coefficients of Π_{l≠j} (x − p_l), plus the point ∞). `WinogradTransforms4x4`
/// applies them along rows and columns. The points change only the rounding error
/// (`WinogradF4AccuracyTests` measures both sets).
protocol WinogradPoints4x4 {
  typealias SixDoubles = (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>)
  /// G applied to three values (a column or a row of the filter), four filters per vector.
  static func filterCombination(_ g0: SIMD4<Double>, _ g1: SIMD4<Double>, _ g2: SIMD4<Double>) -> SixDoubles
  /// Bᵀ applied to six values (a row or a column of the patch).
  static func inputCombination<L: WinogradLanes>(_ d0: L, _ d1: L, _ d2: L, _ d3: L, _ d4: L, _ d5: L)
    -> (L, L, L, L, L, L)
  /// Aᵀ applied to six values.
  static func outputCombination<L: WinogradLanes>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L, _ m5: L)
    -> (L, L, L, L)
}

/// The points 0, ±1, ±2 (Lavin and Gray's matrices, printed in `WinogradTransforms4x4`).
enum WinogradPointsTwo: WinogradPoints4x4 {
  @inline(__always)
  static func filterCombination(_ g0: SIMD4<Double>, _ g1: SIMD4<Double>, _ g2: SIMD4<Double>) -> SixDoubles {
    let even = g0 + g2
    let quarter = 0.25 * g0 + g2
    return (0.25 * g0, -(even + g1) / 6, -(even - g1) / 6, (quarter + 0.5 * g1) / 6, (quarter - 0.5 * g1) / 6, g2)
  }

  @inline(__always)
  static func inputCombination<L: WinogradLanes>(_ d0: L, _ d1: L, _ d2: L, _ d3: L, _ d4: L, _ d5: L)
    -> (L, L, L, L, L, L)
  {
    let p = d4.addingProduct(-4, d2)
    let q = d3.addingProduct(-4, d1)
    let r = d4 - d2
    let s = 2 * (d3 - d1)
    return (
      d4.addingProduct(4, d0).addingProduct(-5, d2), p + q, p - q, r + s, r - s,
      d5.addingProduct(4, d1).addingProduct(-5, d3)
    )
  }

  @inline(__always)
  static func outputCombination<L: WinogradLanes>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L, _ m5: L)
    -> (L, L, L, L)
  {
    let s12 = m1 + m2
    let d12 = m1 - m2
    let s34 = m3 + m4
    let d34 = m3 - m4
    return (m0 + s12 + s34, d12.addingProduct(2, d34), s12.addingProduct(4, s34), (d12 + m5).addingProduct(8, d34))
  }
}

/// The points 0, ±1, ±1/2 (the reciprocals of ±2):
///
///     Bᵀ = | 1/4  0    -5/4  0    1  0 |   G = |  4     0     0   |   Aᵀ = | 1  1  1  1    1    0 |
///          | 0   -1/4  -1/4  1    1  0 |       |  2/3   2/3   2/3 |        | 0  1 -1  1/2 -1/2  0 |
///          | 0    1/4  -1/4 -1    1  0 |       |  2/3  -2/3   2/3 |        | 0  1  1  1/4  1/4  0 |
///          | 0   -1/2  -1    1/2  1  0 |       | -8/3  -4/3  -2/3 |        | 0  1 -1  1/8 -1/8  1 |
///          | 0    1/2  -1   -1/2  1  0 |       | -8/3   4/3  -2/3 |
///          | 0    1/4   0   -5/4  0  1 |       |  0     0     1   |
enum WinogradPointsHalf: WinogradPoints4x4 {
  @inline(__always)
  static func filterCombination(_ g0: SIMD4<Double>, _ g1: SIMD4<Double>, _ g2: SIMD4<Double>) -> SixDoubles {
    let even = g0 + g2
    let quarter = g0 + 0.25 * g2
    return (
      4 * g0, (even + g1) * (2.0 / 3), (even - g1) * (2.0 / 3), (quarter + 0.5 * g1) * (-8.0 / 3),
      (quarter - 0.5 * g1) * (-8.0 / 3), g2
    )
  }

  @inline(__always)
  static func inputCombination<L: WinogradLanes>(_ d0: L, _ d1: L, _ d2: L, _ d3: L, _ d4: L, _ d5: L)
    -> (L, L, L, L, L, L)
  {
    let p = d4.addingProduct(-0.25, d2)
    let q = d3.addingProduct(-0.25, d1)
    let r = d4 - d2
    let s = 0.5 * (d3 - d1)
    return (
      d4.addingProduct(0.25, d0).addingProduct(-1.25, d2), p + q, p - q, r + s, r - s,
      d5.addingProduct(0.25, d1).addingProduct(-1.25, d3)
    )
  }

  @inline(__always)
  static func outputCombination<L: WinogradLanes>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L, _ m5: L)
    -> (L, L, L, L)
  {
    let s12 = m1 + m2
    let d12 = m1 - m2
    let s34 = m3 + m4
    let d34 = m3 - m4
    return (
      m0 + s12 + s34, d12.addingProduct(0.5, d34), s12.addingProduct(0.25, s34), (d12 + m5).addingProduct(0.125, d34)
    )
  }
}

/// The points 0, ±1, 2, −1/2 (one of each reciprocal pair, as Barabasz et al., "Error analysis
/// and improving the accuracy of Winograd convolution for deep neural networks", 2020, suggest):
///
///     Bᵀ = | 1  3/2 -2   -3/2  1    0 |   G = |  1      0     0    |   Aᵀ = | 1  1  1  1  1     0 |
///          | 0 -1   -5/2 -1/2  1    0 |       | -1/3   -1/3  -1/3  |        | 0  1 -1  2 -1/2   0 |
///          | 0  1    1/2 -5/2  1    0 |       |  1/3   -1/3   1/3  |        | 0  1  1  4  1/4   0 |
///          | 0 -1/2 -1    1/2  1    0 |       |  1/15   2/15  4/15 |        | 0  1 -1  8 -1/8   1 |
///          | 0  2   -1   -2    1    0 |       | -16/15  8/15 -4/15 |
///          | 0  1    3/2 -2   -3/2  1 |       |  0      0     1    |
enum WinogradPointsMixed: WinogradPoints4x4 {
  @inline(__always)
  static func filterCombination(_ g0: SIMD4<Double>, _ g1: SIMD4<Double>, _ g2: SIMD4<Double>) -> SixDoubles {
    let even = g0 + g2
    return (
      g0, -(even + g1) / 3, (even - g1) / 3, (g0 + 2 * g1 + 4 * g2) / 15, (-16 * g0 + 8 * g1 - 4 * g2) / 15, g2
    )
  }

  @inline(__always)
  static func inputCombination<L: WinogradLanes>(_ d0: L, _ d1: L, _ d2: L, _ d3: L, _ d4: L, _ d5: L)
    -> (L, L, L, L, L, L)
  {
    let a = d4 - d2
    let b = d3 - d1
    return (
      (d0 + d4).addingProduct(-2, d2).addingProduct(-1.5, b),
      (d4 - d1).addingProduct(-2.5, d2).addingProduct(-0.5, d3),
      (d4 + d1).addingProduct(0.5, d2).addingProduct(-2.5, d3),
      a.addingProduct(0.5, b),
      a.addingProduct(-2, b),
      (d5 + d1).addingProduct(-2, d3).addingProduct(-1.5, a)
    )
  }

  @inline(__always)
  static func outputCombination<L: WinogradLanes>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L, _ m5: L)
    -> (L, L, L, L)
  {
    let s12 = m1 + m2
    let d12 = m1 - m2
    return (
      m0 + s12 + m3 + m4,
      d12.addingProduct(2, m3).addingProduct(-0.5, m4),
      s12.addingProduct(4, m3).addingProduct(0.25, m4),
      (d12 + m5).addingProduct(8, m3).addingProduct(-0.125, m4)
    )
  }
}
