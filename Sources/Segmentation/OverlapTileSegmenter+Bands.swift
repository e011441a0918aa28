import NeuralCore

extension OverlapTileSegmenter {
  /// The foreground probability of one band's rows (`band.writeRows`, row-major, `imageWidth`
  /// per row), from the band's input window: the same numbers `segment` gives for those rows.
  /// - Parameters:
  ///   - window: the normalised C×in×W input rows `band.inputRows` (in = the plan's input tile
  ///     edge), rows past the image mirrored as `mirrorIndex` does; W the image width.
  ///   - progress: called after each tile with the tiles of this band done so far.
  ///   - isCancelled: polled before each tile.
  /// - Throws: `SegmentationCancelled` (counting this band's tiles) when cancelled.
  public func segmentBand(
    _ window: Tensor, band: OverlapTileBand, plan: OverlapTilePlan,
    progress: (_ done: Int) -> Void = { _ in }, isCancelled: () -> Bool = { false }
  ) throws(SegmentationCancelled) -> [Float] {
    precondition(
      window.channels == predictor.inputChannels && window.height == plan.inputTileSize
        && window.width == plan.imageWidth,
      "OverlapTileSegmenter: band window \(window.shape) for \(predictor.inputChannels) channels, \(plan.inputTileSize) rows, width \(plan.imageWidth)")
    let width = plan.imageWidth
    var foreground = [Float](repeating: 0, count: band.writeRows.count * width)
    let t = outputTileSize
    let plane = t * t
    for (index, tile) in band.tiles.enumerated() {
      let input = window.mirroredWindow(
        y0: 0, x0: tile.outputX - plan.margin, height: plan.inputTileSize, width: plan.inputTileSize)
      guard let probabilities = predictTile(input, isCancelled: isCancelled) else {
        throw SegmentationCancelled(tilesDone: index, tilesTotal: band.tiles.count)
      }
      let classes = probabilities.channels
      probabilities.storage.withUnsafeBufferPointer { source in
        foreground.withUnsafeMutableBufferPointer { destination in
          for y in tile.writeRows {
            let sourceRow = (y - tile.outputY) * t - tile.outputX
            let destinationRow = (y - band.writeRows.lowerBound) * width
            for x in tile.writeColumns {
              destination[destinationRow + x] = foregroundSum(source, at: sourceRow + x, plane: plane, classes: classes)
            }
          }
        }
      }
      progress(index + 1)
    }
    return foreground
  }
}
