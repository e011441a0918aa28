import NeuralCore

/// Where each pixel of a square training tile comes from in the source image: a rotation or
/// mirror about the tile centre, a placement, and an optional elastic displacement.
///
/// Tile pixel (u, v) (row, column) maps to the source position
///
///     (centerY, centerX) + M · (u − c, v − c) + D(u, v),   c = (inputSize − 1) / 2,
///
/// with M the 2×2 `matrix` (row-major, acting on (row, column) offsets) and D the elastic
/// field (zero when absent). Only the pixels of the tile are ever mapped, so augmenting costs
/// O(tile) no matter how large the image is. With M a flip or quarter turn and integer-aligned
/// centre the positions are exact integers, so such tiles are pure pixel permutations.
public struct TileTransform: Sendable, Equatable {
  /// Edge of the (input) tile in pixels.
  public var inputSize: Int
  /// Source position of the tile centre (half-integer for an even tile edge).
  public var centerY: Float
  public var centerX: Float
  /// (m00, m01, m10, m11): row offset' = m00·row + m01·column, column offset' = m10·row + m11·column.
  public var matrix: SIMD4<Float>
  /// Elastic displacement over the tile, in source pixels; nil for none.
  public var elastic: ElasticDisplacementField?

  public static let identityMatrix = SIMD4<Float>(1, 0, 0, 1)

  public init(
    inputSize: Int, centerY: Float, centerX: Float,
    matrix: SIMD4<Float> = TileTransform.identityMatrix, elastic: ElasticDisplacementField? = nil
  ) {
    precondition(inputSize >= 1, "TileTransform: tile edge \(inputSize) must be positive")
    if let elastic {
      precondition(
        elastic.tileSize == inputSize,
        "TileTransform: elastic field for \(elastic.tileSize) px on a \(inputSize) px tile")
    }
    self.inputSize = inputSize
    self.centerY = centerY
    self.centerX = centerX
    self.matrix = matrix
    self.elastic = elastic
  }

  /// The plain crop whose top-left tile pixel is source pixel (top, left).
  public static func crop(inputSize: Int, top: Int, left: Int) -> TileTransform {
    let half = Float(inputSize - 1) / 2
    return TileTransform(inputSize: inputSize, centerY: Float(top) + half, centerX: Float(left) + half)
  }

  /// Rotation of the (row, column) offsets by `angle` radians.
  public static func rotationMatrix(angle: Float) -> SIMD4<Float> {
    let c = Elementary.cos(angle)
    let s = Elementary.sin(angle)
    return SIMD4(c, -s, s, c)
  }

  /// `quarterTurns` rotations by 90°, after mirroring the columns when `mirrored`.
  public static func symmetryMatrix(quarterTurns: Int, mirrored: Bool) -> SIMD4<Float> {
    var m = mirrored ? SIMD4<Float>(1, 0, 0, -1) : identityMatrix
    for _ in 0..<(((quarterTurns % 4) + 4) % 4) {
      m = multiply(SIMD4(0, 1, -1, 0), m)
    }
    return m
  }

  /// The 2×2 product a · b (row-major).
  public static func multiply(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
    SIMD4(
      a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
      a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3])
  }

  /// The source position of every tile pixel (`inputSize²`, row-major).
  public func sourceCoordinates() -> TileCoordinates {
    let n = inputSize
    let half = Float(n - 1) / 2
    var ys = [Float](repeating: 0, count: n * n)
    var xs = ys
    if let elastic {
      (ys, xs) = elastic.denseDisplacements()
    }
    for u in 0..<n {
      let du = Float(u) - half
      for v in 0..<n {
        let dv = Float(v) - half
        let p = u * n + v
        ys[p] += centerY + (matrix[0] * du + matrix[1] * dv)
        xs[p] += centerX + (matrix[2] * du + matrix[3] * dv)
      }
    }
    return TileCoordinates(size: n, y: ys, x: xs)
  }
}

/// Source positions of the pixels of a square tile (row-major `size × size`).
public struct TileCoordinates: Sendable, Equatable {
  public let size: Int
  public var y: [Float]
  public var x: [Float]

  public init(size: Int, y: [Float], x: [Float]) {
    precondition(y.count == size * size && x.count == size * size, "TileCoordinates: \(size)² positions needed")
    self.size = size
    self.y = y
    self.x = x
  }
}
