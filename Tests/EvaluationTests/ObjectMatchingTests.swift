import Evaluation
import ImageOps
import NeuralCore
import Testing

@Suite struct ObjectMatchingTests {
  /// A 4×4 square at column `x0` of an 8×8 image, labelled `label`.
  func square(x0: Int, label: Int32 = 1) -> LabelImage {
    var image = LabelImage(width: 8, height: 8)
    for y in 2..<6 { for x in x0..<(x0 + 4) { image[y, x] = label } }
    return image
  }

  @Test func aSquareShiftedByOnePixelStillMatches() {
    // Overlap 4·3 = 12, union 16 + 16 − 12 = 20: IoU 0.6.
    // SEG: 12 > 16/2 covers more than half, Jaccard 0.6. F1: 0.6 > 0.5, one match.
    let overlap = LabelOverlap(prediction: square(x0: 3), truth: square(x0: 2))
    #expect(abs(overlap.seg - 0.6) < 1e-12)
    #expect(overlap.matchedObjectCount == 1)
  }

  @Test func coveringExactlyHalfIsNoMatch() {
    // Shift by two: overlap 4·2 = 8 = 16/2 is not more than half, so SEG 0;
    // IoU 8 / 24 = 1/3, no F1 match either.
    let overlap = LabelOverlap(prediction: square(x0: 4), truth: square(x0: 2))
    #expect(overlap.seg == 0)
    #expect(overlap.matchedObjectCount == 0)
  }

  @Test func iouOfExactlyOneHalfIsNoMatch() {
    // truth 1 1 0 0, prediction 7 7 7 7: n = 2, t = 2, s = 4, IoU = 2 / 4 = 0.5 (not > 0.5).
    // SEG still takes it (2 > 2/2): Jaccard 0.5.
    let truth = LabelImage(width: 4, height: 1, values: [1, 1, 0, 0])
    let prediction = LabelImage(width: 4, height: 1, values: [7, 7, 7, 7])
    let overlap = LabelOverlap(prediction: prediction, truth: truth)
    #expect(overlap.matchedObjectCount == 0)
    #expect(overlap.seg == 0.5)
    // Just above: truth 1 1 0, prediction 7 7 7: IoU 2/3, 3·2 = 6 > 2 + 3, a match.
    let above = LabelOverlap(
      prediction: LabelImage(width: 3, height: 1, values: [7, 7, 7]),
      truth: LabelImage(width: 3, height: 1, values: [1, 1, 0]))
    #expect(above.matchedObjectCount == 1)
  }

  @Test func detectionScoresFollowFromTheCounts() {
    // 3 matches, 4 truth, 5 predicted: P = 3/5, R = 3/4, F1 = 6/9.
    let scores = DetectionScores(matched: 3, truthObjects: 4, predictedObjects: 5)
    #expect(scores.precision == 0.6 && scores.recall == 0.75)
    #expect(abs(scores.f1 - 6.0 / 9.0) < 1e-12)
    #expect(DetectionScores(matched: 0, truthObjects: 0, predictedObjects: 0).f1 == 1)
    let nothingFound = DetectionScores(matched: 0, truthObjects: 2, predictedObjects: 0)
    #expect(nothingFound.precision == 0 && nothingFound.recall == 0 && nothingFound.f1 == 0)
  }

  @Test(arguments: [UInt64(21), 22, 23, 24, 25])
  func agreeWithPerObjectPixelScans(seed: UInt64) {
    var random = RandomSource(seed: seed)
    let truth = randomBlockLabels(width: 24, height: 18, block: 3, labels: 7, random: &random)
    // Half the time the prediction is the truth with some blocks changed: many matches.
    var prediction = randomBlockLabels(width: 24, height: 18, block: 2, labels: 7, random: &random)
    if seed % 2 == 1 {
      for i in 0..<truth.values.count where random.nextUniform() < 0.8 { prediction.values[i] = truth.values[i] }
    }
    let overlap = LabelOverlap(prediction: prediction, truth: truth)
    #expect(seed % 2 == 0 || NaiveMetrics.matched(prediction, truth) > 2, "the close predictions match")
    #expect(abs(overlap.seg - NaiveMetrics.seg(prediction, truth)) < 1e-12)
    #expect(overlap.matchedObjectCount == NaiveMetrics.matched(prediction, truth))
    #expect(abs(overlap.foregroundIoU - NaiveMetrics.foregroundIoU(prediction, truth)) < 1e-12)
  }
}
