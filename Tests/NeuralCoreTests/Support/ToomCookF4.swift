/// Winograd F(4×4, 3×3) for any five finite interpolation points (plus ∞), built by the
/// Toom-Cook construction (Lavin and Gray 2016, section 4): Aᵀ[i][j] = p_jⁱ, G[j][k] = p_jᵏ / N_j
/// with N_j = Π_{l≠j} (p_j − p_l), row j of Bᵀ the coefficients of Π_{l≠j} (x − p_l), and the
/// point ∞ as the last row or column. With 0, ±1, ±2 it gives exactly the production matrices
/// (`WinogradTransforms4x4`). Used to compare the error of point choices, computed in Float
/// (filters transformed in Double and rounded once, as in production) by plain matrix products.
struct ToomCookF4 {
  let points: [Double]
  var at: [[Double]] = []
  var g: [[Double]] = []
  var bt: [[Double]] = []

  init(points: [Double]) {
    precondition(points.count == 5)
    self.points = points
    let n = 6
    at = (0..<4).map { i in (0..<n).map { j in j < 5 ? Self.power(points[j], i) : (i == 3 ? 1 : 0) } }
    g = (0..<n).map { j in
      guard j < 5 else { return [0, 0, 1] }
      let norm = (0..<5).filter { $0 != j }.reduce(1.0) { $0 * (points[j] - points[$1]) }
      return (0..<3).map { k in Self.power(points[j], k) / norm }
    }
    bt = (0..<n).map { j in
      var poly: [Double] = [1]
      for l in 0..<5 where l != j { poly = Self.multiply(poly, byXMinus: points[l]) }
      return poly + [Double](repeating: 0, count: n - poly.count)
    }
  }

  private static func power(_ x: Double, _ k: Int) -> Double { (0..<k).reduce(1.0) { r, _ in r * x } }

  private static func multiply(_ poly: [Double], byXMinus p: Double) -> [Double] {
    var result = [Double](repeating: 0, count: poly.count + 1)
    for (k, c) in poly.enumerated() {
      result[k + 1] += c
      result[k] -= p * c
    }
    return result
  }

  /// y = a · x · bᵀ in Float (a: r × s, x: s × s, b: c × s).
  private static func sandwich(_ a: [[Float]], _ x: [[Float]], _ b: [[Float]]) -> [[Float]] {
    let left = a.map { row in (0..<x[0].count).map { j in (0..<x.count).reduce(Float(0)) { $0 + row[$1] * x[$1][j] } } }
    return left.map { row in b.map { brow in (0..<brow.count).reduce(Float(0)) { $0 + row[$1] * brow[$1] } } }
  }

  /// The valid 3×3 correlation of `input` (c × h × w, h − 2 and w − 2 multiples of 4) with
  /// `weights` [cout][c][3][3], without bias, in Float through this algorithm.
  func convolve(_ input: ReferenceMap, weights: [Float], cout: Int) -> ReferenceMap {
    let btF = bt.map { $0.map(Float.init) }
    let atF = at.map { $0.map(Float.init) }
    let cin = input.c
    // U per (co, ci): G g Gᵀ in Double, rounded once.
    let u: [[[Float]]] = (0..<(cout * cin)).map { pair in
      let taps = (0..<3).map { y in (0..<3).map { x in Double(weights[pair * 9 + y * 3 + x]) } }
      let gg = g.map { row in (0..<3).map { x in (0..<3).reduce(0.0) { $0 + row[$1] * taps[$1][x] } } }
      return gg.map { row in g.map { grow in Float((0..<3).reduce(0.0) { $0 + row[$1] * grow[$1] }) } }
    }
    var out = ReferenceMap(c: cout, h: input.h - 2, w: input.w - 2)
    for ty in stride(from: 0, to: out.h, by: 4) {
      for tx in stride(from: 0, to: out.w, by: 4) {
        let v: [[[Float]]] = (0..<cin).map { ci in
          let d = (0..<6).map { y in (0..<6).map { x in Float(input[ci, ty + y, tx + x]) } }
          return Self.sandwich(btF, d, btF)
        }
        for co in 0..<cout {
          var m = [[Float]](repeating: [Float](repeating: 0, count: 6), count: 6)
          for ci in 0..<cin {
            let uu = u[co * cin + ci]
            for i in 0..<6 { for j in 0..<6 { m[i][j] = m[i][j].addingProduct(uu[i][j], v[ci][i][j]) } }
          }
          let y = Self.sandwich(atF, m, atF)
          for a in 0..<4 { for b in 0..<4 { out[co, ty + a, tx + b] = Double(y[a][b]) } }
        }
      }
    }
    return out
  }
}
