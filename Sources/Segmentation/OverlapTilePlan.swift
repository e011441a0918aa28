/// Where the output tiles of the overlap-tile strategy (the paper's Fig. 2) go on an image of
/// any size, and which image pixels each of them writes.
///
/// Along each axis of extent n, with output tile edge T and alignment P (the network's
/// `outputAlignment`):
/// - if n ≤ T, one tile at 0 covers the axis; the part of its output past the image is cropped;
/// - otherwise tiles start every S = T − (T mod P) pixels (the largest multiple of P that is at
///   most T), and the last one is shifted back to the first multiple of P at or after n − T,
///   so it ends at most P − 1 pixels past the image (cropped). Each tile writes from its own
///   start up to the next tile's start (the last one up to n).
///
/// Every image pixel is thus written by exactly one tile, and all tile origins are multiples
/// of P, so every tile sees the same pooling grid as one huge tile would: the stitched result
/// does not depend on T. The input window of a tile is its output window grown by the margin
/// on every side; it may reach past the image, where it is mirror-extrapolated
/// (`Tensor.mirroredWindow`).
public struct OverlapTilePlan: Equatable, Sendable {
  /// One output tile: its square output window, the part of it that it writes, its input window.
  public struct Tile: Equatable, Sendable {
    /// Top-left corner of the T×T output window in image coordinates (never negative; the
    /// window may extend past the bottom or right border).
    public var outputY: Int
    public var outputX: Int
    /// Image rows and columns this tile writes; inside both the image and the output window.
    public var writeRows: Range<Int>
    public var writeColumns: Range<Int>
  }

  public let imageWidth: Int
  public let imageHeight: Int
  /// T: the output tile edge.
  public let outputTileSize: Int
  /// Context on each side: the input window is (T + 2·margin)² centred on the output window.
  public let margin: Int
  /// P: tile origins are multiples of it.
  public let alignment: Int
  /// The tiles in row-major order (top row of tiles first).
  public let tiles: [Tile]

  /// The input tile edge, T + 2·margin.
  public var inputTileSize: Int { outputTileSize + 2 * margin }

  public init(imageWidth: Int, imageHeight: Int, outputTileSize: Int, margin: Int, alignment: Int = 1) {
    precondition(imageWidth > 0 && imageHeight > 0, "OverlapTilePlan: empty image \(imageWidth)×\(imageHeight)")
    precondition(outputTileSize > 0, "OverlapTilePlan: output tile size \(outputTileSize) must be positive")
    precondition(margin >= 0, "OverlapTilePlan: negative margin \(margin)")
    precondition(alignment > 0, "OverlapTilePlan: alignment \(alignment) must be positive")
    self.imageWidth = imageWidth
    self.imageHeight = imageHeight
    self.outputTileSize = outputTileSize
    self.margin = margin
    self.alignment = alignment
    let rows = Self.axisTiles(extent: imageHeight, tileSize: outputTileSize, alignment: alignment)
    let columns = Self.axisTiles(extent: imageWidth, tileSize: outputTileSize, alignment: alignment)
    var tiles: [Tile] = []
    tiles.reserveCapacity(rows.count * columns.count)
    for row in rows {
      for column in columns {
        tiles.append(
          Tile(outputY: row.origin, outputX: column.origin, writeRows: row.writes, writeColumns: column.writes))
      }
    }
    self.tiles = tiles
  }

  /// Convenience: the plan for `predictor` with output tile edge `outputTileSize` (must be legal).
  public init<Predictor: TilePredictor>(
    imageWidth: Int, imageHeight: Int, outputTileSize: Int, predictor: Predictor
  ) {
    self.init(
      imageWidth: imageWidth, imageHeight: imageHeight, outputTileSize: outputTileSize,
      margin: predictor.margin(forOutputSize: outputTileSize), alignment: predictor.outputAlignment)
  }

  /// Tile origins along one axis and the range each writes (see the type's documentation).
  static func axisTiles(extent n: Int, tileSize t: Int, alignment p: Int) -> [(origin: Int, writes: Range<Int>)] {
    let count = tileCount(extent: n, tileSize: t, alignment: p)
    if count == 1 { return [(0, 0..<n)] }
    let stride = t - t % p
    var origins = (0..<(count - 1)).map { $0 * stride }
    origins.append((n - t + p - 1) / p * p)
    return origins.indices.map { k in
      let end = k + 1 < origins.count ? origins[k + 1] : n
      return (origins[k], origins[k]..<end)
    }
  }

  /// How many tiles cover one axis: 1 if n ≤ T, else 1 + ⌈(n − T) / S⌉.
  static func tileCount(extent n: Int, tileSize t: Int, alignment p: Int) -> Int {
    if n <= t { return 1 }
    let stride = t - t % p
    precondition(
      stride > 0,
      "OverlapTilePlan: output tile size \(t) is smaller than the alignment \(p) and cannot tile an extent of \(n)")
    return 1 + (n - t + stride - 1) / stride
  }
}
