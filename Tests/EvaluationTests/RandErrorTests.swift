import Evaluation
import ImageOps
import NeuralCore
import Testing

@Suite struct RandErrorTests {
  @Test func aPartlyMissedObjectCountsItsMissedPixelsAsSingletons() {
    // truth 1 1 1 1, prediction 1 1 0 0 (one object, half of it called background).
    // Ordered pixel pairs in the truth object: 4² = 16, all "same object".
    // Prediction: pixels 0,1 together (2² = 4 pairs) + pixels 2, 3 alone (1 + 1) = 6.
    // split = 6/16 = 0.375, merge = 6/6 = 1, F = 2·0.375/1.375 = 6/11, error = 5/11.
    let truth = LabelImage(width: 4, height: 1, values: [1, 1, 1, 1])
    let prediction = LabelImage(width: 4, height: 1, values: [1, 1, 0, 0])
    let scores = LabelOverlap(prediction: prediction, truth: truth).randScores
    #expect(abs(scores.split - 0.375) < 1e-12)
    #expect(scores.merge == 1)
    #expect(abs(scores.error - 5.0 / 11.0) < 1e-12)
  }

  @Test func predictedForegroundOutsideTheTruthDoesNotCount() {
    // Only truth-foreground pixels 0, 1 take part; there the prediction is perfect.
    let truth = LabelImage(width: 4, height: 1, values: [1, 1, 0, 0])
    let prediction = LabelImage(width: 4, height: 1, values: [1, 1, 1, 1])
    #expect(LabelOverlap(prediction: prediction, truth: truth).randScores.error == 0)
  }

  @Test func mergingTwoObjectsLowersOnlyTheMergeScore() {
    // truth 1 1 2 2, prediction 5 5 5 5.
    // Σn² = 2² + 2² = 8, Σt² = 2² + 2² = 8, Σs² = 4² = 16.
    // split = 8/8 = 1, merge = 8/16 = 0.5, F = 2·0.5/1.5 = 2/3, error = 1/3.
    let truth = LabelImage(width: 4, height: 1, values: [1, 1, 2, 2])
    let prediction = LabelImage(width: 4, height: 1, values: [5, 5, 5, 5])
    let scores = LabelOverlap(prediction: prediction, truth: truth).randScores
    #expect(scores.split == 1 && scores.merge == 0.5)
    #expect(abs(scores.error - 1.0 / 3.0) < 1e-12)
  }

  @Test func aTruthWithoutForegroundHasNothingToSplitOrMerge() {
    let truth = LabelImage(width: 3, height: 1)
    let prediction = LabelImage(width: 3, height: 1, values: [1, 2, 0])
    let scores = LabelOverlap(prediction: prediction, truth: truth).randScores
    #expect(scores == RandScores(split: 1, merge: 1) && scores.error == 0)
  }

  @Test(arguments: [UInt64(11), 12, 13, 14])
  func agreesWithCountingPixelPairs(seed: UInt64) {
    var random = RandomSource(seed: seed)
    let truth = randomBlockLabels(width: 19, height: 13, block: 3, labels: 4, random: &random)
    let prediction = randomBlockLabels(width: 19, height: 13, block: 2, labels: 5, random: &random)
    let fast = LabelOverlap(prediction: prediction, truth: truth).randScores.error
    #expect(abs(fast - NaiveMetrics.randError(prediction, truth)) < 1e-12)
  }
}
