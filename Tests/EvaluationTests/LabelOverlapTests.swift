import Evaluation
import ImageOps
import NeuralCore
import Testing

@Suite struct LabelOverlapTests {
  @Test func countsEveryLabelPairIncludingBackground() {
    // truth      prediction
    // 1 1 0      1 1 1
    // 2 2 0      1 2 0
    let truth = LabelImage(width: 3, height: 2, values: [1, 1, 0, 2, 2, 0])
    let prediction = LabelImage(width: 3, height: 2, values: [1, 1, 1, 1, 2, 0])
    let overlap = LabelOverlap(prediction: prediction, truth: truth)
    typealias Pair = LabelOverlap.Pair
    #expect(
      overlap.counts == [
        Pair(truth: 1, prediction: 1): 2, Pair(truth: 0, prediction: 1): 1,
        Pair(truth: 2, prediction: 1): 1, Pair(truth: 2, prediction: 2): 1,
        Pair(truth: 0, prediction: 0): 1,
      ])
    #expect(overlap.truthSizes == [0: 2, 1: 2, 2: 2])
    #expect(overlap.predictionSizes == [0: 1, 1: 4, 2: 1])
    #expect(overlap.truthObjectCount == 2 && overlap.predictionObjectCount == 2)
    // Foreground in both: (1,1) ×2, (2,1), (2,2) = 4 pixels.
    #expect(overlap.foregroundIntersection == 4)
  }

  @Test(arguments: [UInt64(1), 2, 3])
  func runCountingAgreesWithAPixelByPixelTally(seed: UInt64) {
    var random = RandomSource(seed: seed)
    let truth = randomBlockLabels(width: 37, height: 23, block: 4, labels: 6, random: &random)
    let prediction = randomBlockLabels(width: 37, height: 23, block: 3, labels: 5, random: &random)
    var expected: [LabelOverlap.Pair: Int] = [:]
    for i in 0..<truth.values.count {
      expected[LabelOverlap.Pair(truth: truth.values[i], prediction: prediction.values[i]), default: 0] += 1
    }
    let overlap = LabelOverlap(prediction: prediction, truth: truth)
    #expect(overlap.counts == expected)
    #expect(overlap.pixelCount == 37 * 23)
  }

  @Test func anImageWithoutPixelsHasAnEmptyTable() {
    let empty = LabelImage(width: 0, height: 5)
    let overlap = LabelOverlap(prediction: empty, truth: empty)
    #expect(overlap.counts.isEmpty && overlap.pixelCount == 0)
    #expect(overlap.foregroundIoU == 1 && overlap.pixelError == 0)
  }
}
