import Segmentation
import Testing

@Suite struct TileSizeChoiceTests {
  let window = WindowPredictor(inputChannels: 1, margin: 6, seed: 1)  // legal: 4, 8, 12, ...
  let pooling = PoolingPredictor(inputChannels: 1, seed: 1)  // legal: 2, 6, 10, ...; alignment 4

  @Test func requestedSizesRoundToLegalSizes() {
    #expect(legalOutputTileSize(requested: 10, predictor: window, imageWidth: 100, imageHeight: 100) == 8)
    #expect(legalOutputTileSize(requested: 2, predictor: window, imageWidth: 100, imageHeight: 100) == 4)
    #expect(legalOutputTileSize(requested: 388, predictor: window, imageWidth: 1000, imageHeight: 500) == 388)
    // Never larger than one tile covering the image.
    #expect(legalOutputTileSize(requested: 1000, predictor: window, imageWidth: 30, imageHeight: 13) == 32)
    // Below the alignment only when one tile covers the image.
    #expect(legalOutputTileSize(requested: 3, predictor: pooling, imageWidth: 50, imageHeight: 50) == 6)
    #expect(legalOutputTileSize(requested: 3, predictor: pooling, imageWidth: 2, imageHeight: 1) == 2)
  }

  /// Brute force: every legal size that fits the budget, cost = tiles × in², ties to the larger.
  private func bruteForce<P: TilePredictor>(_ predictor: P, budget: Int, width: Int, height: Int) -> Int? {
    var best: (size: Int, cost: Int)? = nil
    for size in 1...(max(width, height) + 8) {
      guard let inputSize = predictor.inputSize(forOutputSize: size) else { continue }
      let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: size)
      if predictor.estimatedBytes(forOutputSize: size) + segmenter.workingBytes(forOutputSize: size) > budget { continue }
      let covers = width <= size && height <= size
      if size < predictor.outputAlignment && !covers { continue }
      let tiles = segmenter.plan(imageWidth: width, imageHeight: height).tiles.count
      let cost = tiles * inputSize * inputSize
      if best == nil || cost <= best?.cost ?? 0 { best = (size, cost) }
    }
    return best?.size
  }

  @Test(arguments: [(40, 40), (1, 300), (300, 1), (97, 31), (3, 3), (130, 130)])
  func defaultSizeIsTheCheapestThatFitsTheBudget(width: Int, height: Int) {
    for budget in [20_000, 60_000, 200_000, 1_000_000, 100_000_000] {
      for (name, chosen, expected) in [
        ("window", defaultOutputTileSize(predictor: window, memoryBudgetBytes: budget, imageWidth: width, imageHeight: height),
         bruteForce(window, budget: budget, width: width, height: height)),
        ("pooling", defaultOutputTileSize(predictor: pooling, memoryBudgetBytes: budget, imageWidth: width, imageHeight: height),
         bruteForce(pooling, budget: budget, width: width, height: height)),
      ] {
        if let expected {
          #expect(chosen == expected, "\(name) \(width)×\(height) budget \(budget)")
        } else {
          #expect(chosen == (name == "window" ? 4 : 6), "\(name): nothing fits, so the smallest usable size")
        }
      }
    }
  }

  @Test func largeImageGetsTheLargestTileWithinTheBudget() {
    let budget = window.estimatedBytes(forOutputSize: 64)
      + OverlapTileSegmenter(predictor: window, outputTileSize: 64).workingBytes(forOutputSize: 64)
    #expect(defaultOutputTileSize(predictor: window, memoryBudgetBytes: budget, imageWidth: 4096, imageHeight: 4096) == 64)
    #expect(SegmentationDefaults.memoryBudgetBytes == 1 << 30)
  }
}
