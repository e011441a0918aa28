import NeuralCore

/// A smooth displacement field over a square tile: the paper's elastic deformation (Sec. 3.1,
/// "random displacement vectors on a coarse 3 by 3 grid … sampled from a Gaussian distribution
/// with 10 pixels standard deviation. Per-pixel displacements are then computed using bicubic
/// interpolation").
///
/// The `gridSize × gridSize` nodes sit evenly from the first to the last pixel of the tile
/// (corners, edge midpoints and centre for a 3×3 grid). Between nodes the field is bicubic
/// Catmull–Rom interpolation (Keys' cubic convolution, a = −½), which passes exactly through
/// the node values; beyond the outer nodes the node values are repeated. A field whose nodes
/// are all zero is the identity.
public struct ElasticDisplacementField: Sendable, Equatable {
  /// Edge of the tile in pixels.
  public let tileSize: Int
  /// Nodes per side.
  public let gridSize: Int
  /// Row-major `gridSize × gridSize` node displacements in pixels, along rows (y) and
  /// columns (x).
  public var nodeDY: [Float]
  public var nodeDX: [Float]

  public init(tileSize: Int, gridSize: Int, nodeDY: [Float], nodeDX: [Float]) {
    precondition(tileSize >= 1 && gridSize >= 2, "ElasticDisplacementField: tile \(tileSize), grid \(gridSize)")
    precondition(
      nodeDY.count == gridSize * gridSize && nodeDX.count == gridSize * gridSize,
      "ElasticDisplacementField: need \(gridSize * gridSize) nodes per component")
    self.tileSize = tileSize
    self.gridSize = gridSize
    self.nodeDY = nodeDY
    self.nodeDX = nodeDX
  }

  /// Node displacements drawn from N(0, sigma²), first all y components, then all x.
  public init(tileSize: Int, gridSize: Int, sigma: Float, random: inout RandomSource) {
    let nodes = gridSize * gridSize
    let dy = (0..<nodes).map { _ in sigma * random.nextGaussian() }
    let dx = (0..<nodes).map { _ in sigma * random.nextGaussian() }
    self.init(tileSize: tileSize, gridSize: gridSize, nodeDY: dy, nodeDX: dx)
  }

  /// The displacement at one pixel, straight from the definition (16 nodes weighted).
  public func displacement(row: Int, column: Int) -> (dy: Float, dx: Float) {
    let (rowNodes, rowWeights) = interpolationTaps(row)
    let (columnNodes, columnWeights) = interpolationTaps(column)
    var dy: Float = 0
    var dx: Float = 0
    for i in 0..<4 {
      for j in 0..<4 {
        let node = rowNodes[i] * gridSize + columnNodes[j]
        let weight = rowWeights[i] * columnWeights[j]
        dy += weight * nodeDY[node]
        dx += weight * nodeDX[node]
      }
    }
    return (dy, dx)
  }

  /// The displacement of every pixel, row-major `tileSize × tileSize`, computed separably:
  /// first along columns for each grid row, then along rows.
  public func denseDisplacements() -> (dy: [Float], dx: [Float]) {
    let n = tileSize
    let taps = (0..<n).map { interpolationTaps($0) }
    // alongColumns[g * n + x]: the field on grid row g, interpolated at column x.
    var alongColumnsY = [Float](repeating: 0, count: gridSize * n)
    var alongColumnsX = alongColumnsY
    for g in 0..<gridSize {
      for x in 0..<n {
        let (nodes, weights) = taps[x]
        var sy: Float = 0
        var sx: Float = 0
        for j in 0..<4 {
          sy += weights[j] * nodeDY[g * gridSize + nodes[j]]
          sx += weights[j] * nodeDX[g * gridSize + nodes[j]]
        }
        alongColumnsY[g * n + x] = sy
        alongColumnsX[g * n + x] = sx
      }
    }
    var dy = [Float](repeating: 0, count: n * n)
    var dx = dy
    for y in 0..<n {
      let (nodes, weights) = taps[y]
      for x in 0..<n {
        var sy: Float = 0
        var sx: Float = 0
        for i in 0..<4 {
          sy += weights[i] * alongColumnsY[nodes[i] * n + x]
          sx += weights[i] * alongColumnsX[nodes[i] * n + x]
        }
        dy[y * n + x] = sy
        dx[y * n + x] = sx
      }
    }
    return (dy, dx)
  }

  /// The four grid nodes (clamped to the grid) and Catmull–Rom weights for pixel `i`.
  private func interpolationTaps(_ i: Int) -> (nodes: SIMD4<Int>, weights: SIMD4<Float>) {
    let spacing = Float(max(tileSize - 1, 1)) / Float(gridSize - 1)
    let t = Float(i) / spacing
    let base = min(Int(t), gridSize - 1)
    let f = t - Float(base)
    let f2 = f * f
    let f3 = f2 * f
    let weights = SIMD4<Float>(
      (-f3 + 2 * f2 - f) / 2,
      (3 * f3 - 5 * f2 + 2) / 2,
      (-3 * f3 + 4 * f2 + f) / 2,
      (f3 - f2) / 2)
    let last = gridSize - 1
    let nodes = SIMD4<Int>(
      max(base - 1, 0), min(base, last), min(base + 1, last), min(base + 2, last))
    return (nodes, weights)
  }
}
