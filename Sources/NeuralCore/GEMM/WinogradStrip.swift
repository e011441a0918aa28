/// A strip of whole tile rows of a Winograd convolution and how its 2×2 output tiles are
/// numbered as matrix columns.
///
/// The input and output transforms handle eight horizontally adjacent tiles at once. So that
/// such a group is always eight consecutive columns starting at a multiple of 8 (and so never
/// straddles a 24-column panel of the packed GEMM operand), each row's first `vectorTiles`
/// tiles (a multiple of 8) are numbered row after row, and the remaining tail tiles of every
/// row come after all of them.
struct WinogradStrip {
  /// Tile rows (in tiles of the whole output) of this strip.
  let tileRows: Range<Int>
  let tilesX: Int

  /// Tiles per row handled in groups of eight.
  var vectorTiles: Int { tilesX / 8 * 8 }
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
