/// One row of tiles of an overlap-tile plan: the unit in which an image larger than memory is
/// segmented. Its input window is `inputRows` of the image (mirror-extrapolated past the top and
/// bottom only), so a band carries the network's margin of real context from the rows above
/// and below it and its result equals that of the whole image at once.
public struct OverlapTileBand: Equatable, Sendable {
  /// Top of the band's T×T output windows.
  public var outputY: Int
  /// Image rows the band writes (those of its tiles).
  public var writeRows: Range<Int>
  /// The band's tiles, left to right.
  public var tiles: [OverlapTilePlan.Tile]
  /// Image rows of the input window (may reach past the image: mirror them with `mirrorIndex`).
  public var inputRows: Range<Int>
}

extension OverlapTilePlan {
  /// The plan's rows of tiles, top to bottom.
  public var bands: [OverlapTileBand] {
    var bands: [OverlapTileBand] = []
    for tile in tiles {
      if let last = bands.last, last.outputY == tile.outputY {
        bands[bands.count - 1].tiles.append(tile)
      } else {
        bands.append(
          OverlapTileBand(
            outputY: tile.outputY, writeRows: tile.writeRows, tiles: [tile],
            inputRows: (tile.outputY - margin)..<(tile.outputY - margin + inputTileSize)))
      }
    }
    return bands
  }
}
