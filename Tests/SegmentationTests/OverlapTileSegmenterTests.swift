import NeuralCore
import Segmentation
import Testing

@Suite struct OverlapTileSegmenterTests {
  static let imageSizes = [(13, 17), (7, 7), (1, 23), (23, 1), (5, 40), (33, 9), (2, 3)]

  /// Stitched tiles of every size equal the window predictor applied directly to the
  /// mirror-padded image; with margin 6 the 7×7, 1×23 and 2×3 images are smaller than the context.
  @Test(arguments: imageSizes)
  func tiledEqualsDirectPrediction(height: Int, width: Int) throws {
    let predictor = WindowPredictor(inputChannels: 2, margin: 6, seed: 7)
    let image = randomImage(channels: 2, height: height, width: width, seed: UInt64(100 * height + width))
    let reference = naiveWindowPrediction(image, margin: 6, bias: predictor.bias, kernel: predictor.weight)
    for tile in [4, 8, 12, 20, 44] {
      let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: tile)
      let probability = try segmenter.segment(image)
      #expect(probability.shape == Shape(channels: 1, height: height, width: width))
      #expect(maxAbsDifference(probability.storage, reference) <= 1e-5, "\(height)×\(width), tile \(tile)")
    }
  }

  /// A network with max-pooling is only shift-equivariant on its alignment grid; tiles of any
  /// legal size still give the same map as one tile covering the whole image.
  @Test(arguments: [(31, 27), (9, 50), (1, 37), (3, 3), (26, 26)], [false, true])
  func tiledEqualsOneTileWithPooling(size: (Int, Int), tta: Bool) throws {
    let (height, width) = size
    let predictor = PoolingPredictor(inputChannels: 1, seed: 3)
    let image = randomImage(channels: 1, height: height, width: width, seed: UInt64(7 * height + width))
    let whole = try #require(predictor.smallestLegalOutputSize(atLeast: max(height, width)))
    let untiled = try OverlapTileSegmenter(predictor: predictor, outputTileSize: whole, testTimeAugmentation: tta).segment(image)
    for tile in [6, 10, 14] {
      let tiled = try OverlapTileSegmenter(predictor: predictor, outputTileSize: tile, testTimeAugmentation: tta).segment(image)
      #expect(maxAbsDifference(tiled.storage, untiled.storage) <= 1e-5, "\(height)×\(width), tile \(tile), tta \(tta)")
    }
  }

  /// The check above can fail: tiles off the pooling grid give a visibly different map.
  @Test func tilesOffTheAlignmentGridAreNotSeamless() throws {
    var misaligned = PoolingPredictor(inputChannels: 1, seed: 3)
    misaligned.reportedAlignment = 1
    let image = randomImage(channels: 1, height: 40, width: 40, seed: 5)
    let untiled = try OverlapTileSegmenter(predictor: misaligned, outputTileSize: 42).segment(image)
    let tiled = try OverlapTileSegmenter(predictor: misaligned, outputTileSize: 6).segment(image)
    #expect(maxAbsDifference(tiled.storage, untiled.storage) > 1e-3)
  }

  @Test func progressCountsEveryTileAndEndsAtTotal() throws {
    let predictor = WindowPredictor(inputChannels: 1, margin: 2, seed: 1)
    let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: 8)
    let image = randomImage(channels: 1, height: 20, width: 30, seed: 2)
    var reports: [(Int, Int)] = []
    _ = try segmenter.segment(image, progress: { reports.append(($0, $1)) })
    let total = segmenter.plan(imageWidth: 30, imageHeight: 20).tiles.count
    #expect(total == 12)
    #expect(reports.map(\.0) == Array(0...total))
    #expect(reports.allSatisfy { $0.1 == total })
    #expect(predictor.counter.calls == total)
  }

  @Test(arguments: [false, true])
  func cancellationStopsBetweenTiles(tta: Bool) {
    let predictor = WindowPredictor(inputChannels: 1, margin: 2, seed: 1)
    let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: 8, testTimeAugmentation: tta)
    let image = randomImage(channels: 1, height: 20, width: 30, seed: 2)
    var lastDone = -1
    let error = #expect(throws: SegmentationCancelled.self) {
      _ = try segmenter.segment(image, progress: { done, _ in lastDone = done }, isCancelled: { lastDone >= 3 })
    }
    #expect(error == SegmentationCancelled(tilesDone: 3, tilesTotal: 12))
    #expect(predictor.counter.calls == 3 * (tta ? 8 : 1), "no prediction after the cancellation")
  }

  @Test func cancelledBeforeTheFirstTileRunsNothing() {
    let predictor = WindowPredictor(inputChannels: 1, margin: 2, seed: 1)
    let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: 8)
    #expect(throws: SegmentationCancelled(tilesDone: 0, tilesTotal: 1)) {
      _ = try segmenter.segment(randomImage(channels: 1, height: 5, width: 5, seed: 1), isCancelled: { true })
    }
    #expect(predictor.counter.calls == 0)
  }
}
