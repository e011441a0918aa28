import Evaluation
import ImageOps
import NeuralCore
import Testing

@Suite struct AdaptedRandErrorTests {
  /// Naive reference: every ordered pair of distinct truth-foreground pixels, "same truth
  /// object" against "same predicted segment" (the background 0 a segment like any other).
  private func naive(prediction: LabelImage, truth: LabelImage) -> Double {
    let pixels = truth.values.indices.filter { truth.values[$0] != 0 }
    var both = 0.0
    var sameTruth = 0.0
    var samePrediction = 0.0
    for p in pixels {
      for q in pixels where q != p {
        let t = truth.values[p] == truth.values[q]
        let s = prediction.values[p] == prediction.values[q]
        if t { sameTruth += 1 }
        if s { samePrediction += 1 }
        if t && s { both += 1 }
      }
    }
    guard both > 0 else { return pixels.count >= 2 ? 1 : 0 }
    let precision = both / samePrediction
    let recall = both / sameTruth
    return 1 - 2 * precision * recall / (precision + recall)
  }

  private func random(seed: UInt64, labels: Int, width: Int = 13, height: Int = 11) -> LabelImage {
    var random = RandomSource(seed: seed)
    var values = [Int32](repeating: 0, count: width * height)
    // Blocks of constant label so that objects have pairs, plus noise.
    for i in values.indices {
      let block = (i / width / 3) * 5 + (i % width) / 3
      values[i] = random.nextUniform() < 0.2 ? Int32(random.nextInt(below: labels + 1)) : Int32(block % (labels + 1))
    }
    return LabelImage(width: width, height: height, values: values)
  }

  @Test(arguments: [UInt64(1), 2, 3, 4, 5])
  func matchesTheNaivePairCount(seed: UInt64) {
    let truth = random(seed: seed, labels: 6)
    let prediction = random(seed: seed + 100, labels: 4)
    let overlap = LabelOverlap(prediction: prediction, truth: truth)
    #expect(abs(overlap.adaptedRandError - naive(prediction: prediction, truth: truth)) < 1e-12)
  }

  @Test func perfectAndEmptyTruths() {
    let truth = random(seed: 9, labels: 5)
    #expect(LabelOverlap(prediction: truth, truth: truth).adaptedRandError == 0)
    let empty = LabelImage(width: truth.width, height: truth.height)
    #expect(LabelOverlap(prediction: truth, truth: empty).adaptedRandError == 0)
  }
}
