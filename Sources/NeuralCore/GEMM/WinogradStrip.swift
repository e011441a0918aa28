/// A strip of whole tile rows of a Winograd convolution and how its output tiles (2×2 or 4×4)
/// are numbered as matrix columns.
///
/// The input and output transforms handle eight horizontally adjacent tiles at once. So that
/// such a group is always eight consecutive columns starting at a multiple of 8 (and so never
/// straddles a 24- or 48-column panel of the packed GEMM operand), each row's first
/// `vectorTiles` tiles (a multiple of 8) are numbered row after row, and the remaining tail
/// tiles of every row come after all of them.
struct WinogradStrip {
  /// Tile rows (in tiles of the whole output) of this strip.
  let tileRows: Range<Int>
  let tilesX: Int
  /// Tiles per row handled in groups of eight (all of them whole tiles, inside the map).
  let vectorTiles: Int

  /// A strip whose tiles are all whole (F(2×2) on an even output).
  init(tileRows: Range<Int>, tilesX: Int) {
    self.init(tileRows: tileRows, tilesX: tilesX, wholeTilesX: tilesX)
  }

  /// A strip of `tilesX` tiles per row of which the first `wholeTilesX` lie wholly inside the
  /// output (F(4×4) on a width of 4t + 2 has one half tile at the end of each row).
  init(tileRows: Range<Int>, tilesX: Int, wholeTilesX: Int) {
    self.tileRows = tileRows
    self.tilesX = tilesX
    self.vectorTiles = wholeTilesX / 8 * 8
  }

  var tailTiles: Int { tilesX - vectorTiles }
  /// Tiles (matrix columns) of the strip.
  var columns: Int { tileRows.count * tilesX }

  /// The column of tile `tx` of the strip's row `row` (0-based within the strip).
  @inline(__always)
  func column(row: Int, tx: Int) -> Int {
    tx < vectorTiles
      ? row * vectorTiles + tx
      : tileRows.count * vectorTiles + row * tailTiles + (tx - vectorTiles)
  }
}

/// Where a transform writes the matrix of one position ξ (row = channel, column = tile).
enum WinogradMatrixLayout {
  /// The packed layout the GEMM reads as its right operand (`PrepackedRightOperand`, depth =
  /// channel), for a strip of `columns` tiles of `depth` channels.
  case packedRight(depth: Int, columns: Int)
  /// Row-major, `rowStride` floats per channel.
  case rowMajor(rowStride: Int)

  /// Offset of channel `c`'s column 0, and the depth of its packed block.
  @inline(__always)
  func row(_ c: Int) -> (offset: Int, blockDepth: Int) {
    switch self {
    case .packedRight(let depth, let columns): return PrepackedRightOperand.row(c, depth: depth, columns: columns)
    case .rowMajor(let rowStride): return (c * rowStride, 0)
    }
  }

  /// Offset of column `j` from its row's start.
  @inline(__always)
  func columnOffset(_ j: Int, blockDepth: Int) -> Int {
    switch self {
    case .packedRight: return PrepackedRightOperand.columnOffset(j, blockDepth: blockDepth)
    case .rowMajor: return j
    }
  }
}
