import Evaluation
import ImageOps
import NeuralCore
import Testing

@Suite struct EvaluateSegmentationTests {
  @Test func handComputedMergeAndSplit() {
    // truth          prediction       20 pixels
    // 1 1 0 2 2      5 5 5 5 5        object 5 merges truth 1 and 2 (and a gap pixel)
    // 1 1 0 2 2      5 5 0 5 5
    // 0 0 0 0 0      0 0 0 0 0
    // 3 3 3 0 0      7 8 8 0 0        truth 3 split into 7 and 8
    let truth = LabelImage(
      width: 5, height: 4,
      values: [1, 1, 0, 2, 2, 1, 1, 0, 2, 2, 0, 0, 0, 0, 0, 3, 3, 3, 0, 0])
    let prediction = LabelImage(
      width: 5, height: 4,
      values: [5, 5, 5, 5, 5, 5, 5, 0, 5, 5, 0, 0, 0, 0, 0, 7, 8, 8, 0, 0])
    let m = evaluateSegmentation(prediction: prediction, truth: truth)
    // Sizes: truth 1:4, 2:4, 3:3 (fg 11); prediction 5:9, 7:1, 8:2 (fg 12).
    // Pairs: (1,5)=4, (2,5)=4, (0,5)=1, (3,7)=1, (3,8)=2.
    // Foreground IoU = 11 / (11 + 12 − 11) = 11/12; pixel error = (11 + 12 − 2·11) / 20.
    #expect(abs(m.foregroundIoU - 11.0 / 12.0) < 1e-12)
    #expect(abs(m.pixelError - 1.0 / 20.0) < 1e-12)
    // Rand: Σn² = 16+16+1+4 = 37, Σt² = 16+16+9 = 41, s (on truth fg) = 8, 1, 2 → Σs² = 69.
    // F = 2·37 / (41 + 69) = 74/110, error = 36/110.
    #expect(abs(m.randError - 36.0 / 110.0) < 1e-12)
    // SEG: truth 1: 4 > 2, J = 4/(4+9−4) = 4/9; truth 2 likewise; truth 3: object 8 has
    // 2 > 1.5, J = 2/(3+2−2) = 2/3. Mean = (4/9 + 4/9 + 6/9) / 3 = 14/27.
    #expect(abs(m.seg - 14.0 / 27.0) < 1e-12)
    // IoU > 0.5 ⇔ 3n > t + s: (1,5) 12 > 13 no, (2,5) no, (3,7) 3 > 4 no, (3,8) 6 > 5 yes.
    // One match of 3 and 3: precision = recall = F1 = 1/3.
    #expect(m.matchedObjects == 1 && m.truthObjects == 3 && m.predictedObjects == 3)
    #expect(abs(m.f1At50 - 1.0 / 3.0) < 1e-12)
    #expect(abs(m.precisionAt50 - 1.0 / 3.0) < 1e-12 && abs(m.recallAt50 - 1.0 / 3.0) < 1e-12)
  }

  func twoObjects() -> LabelImage {
    // 1 1 0 0
    // 1 1 0 0
    // 0 0 2 2
    // 0 0 2 2
    LabelImage(width: 4, height: 4, values: [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2])
  }

  @Test func identicalImagesScorePerfectly() {
    let m = evaluateSegmentation(prediction: twoObjects(), truth: twoObjects())
    #expect(
      m
        == SegmentationMetrics(
          foregroundIoU: 1, pixelError: 0, randError: 0, adaptedRandError: 0, seg: 1, f1At50: 1, precisionAt50: 1,
          recallAt50: 1, truthObjects: 2, predictedObjects: 2, matchedObjects: 2))
  }

  @Test func labelValuesDoNotMatterOnlyThePartition() {
    var relabelled = twoObjects()
    relabelled.values = relabelled.values.map { $0 == 1 ? 1000 : ($0 == 2 ? -7 : 0) }
    let m = evaluateSegmentation(prediction: relabelled, truth: twoObjects())
    #expect(m.seg == 1 && m.f1At50 == 1 && m.randError == 0)
  }

  @Test func anEmptyPredictionFindsNothing() {
    let m = evaluateSegmentation(prediction: LabelImage(width: 4, height: 4), truth: twoObjects())
    // 8 truth pixels all missed: IoU 0, pixel error 8/16.
    // Rand: 8 singletons, Σt² = 16 + 16 = 32: split = 8/32, merge = 8/8, F = 0.5/1.25 = 0.4.
    #expect(m.foregroundIoU == 0 && m.pixelError == 0.5)
    #expect(abs(m.randError - 0.6) < 1e-12)
    // Adapted (background one segment): Σn² = 32, N = 8, Σb² = 64, Σa² = 32:
    // P = 24/56, R = 1, F = 0.6, error 0.4.
    #expect(abs(m.adaptedRandError - 0.4) < 1e-12)
    #expect(m.seg == 0 && m.f1At50 == 0 && m.precisionAt50 == 0 && m.recallAt50 == 0)
    #expect(m.truthObjects == 2 && m.predictedObjects == 0 && m.matchedObjects == 0)
  }

  @Test func anEmptyTruthMakesEveryPredictionFalse() {
    let m = evaluateSegmentation(prediction: twoObjects(), truth: LabelImage(width: 4, height: 4))
    #expect(m.foregroundIoU == 0 && m.pixelError == 0.5)
    #expect(m.randError == 0)  // foreground-restricted: no truth foreground, nothing to score
    #expect(m.seg == 0 && m.f1At50 == 0 && m.precisionAt50 == 0)
  }

  @Test func twoEmptyImagesAgree() {
    let empty = LabelImage(width: 4, height: 4)
    let m = evaluateSegmentation(prediction: empty, truth: empty)
    #expect(m.foregroundIoU == 1 && m.pixelError == 0 && m.randError == 0)
    #expect(m.seg == 1 && m.f1At50 == 1 && m.truthObjects == 0 && m.predictedObjects == 0)
  }

  @Test func aBinaryMaskIsSplitIntoConnectedObjects() {
    // The same two squares as one 0/255 mask: 4-connected components give two objects.
    // (The squares touch only diagonally, which 4-connectivity keeps apart.)
    var mask = twoObjects()
    mask.values = mask.values.map { $0 == 0 ? 0 : 255 }
    #expect(mask.instances().labels.values == twoObjects().values)
    let m = evaluateSegmentation(prediction: mask, truth: twoObjects())
    #expect(m.predictedObjects == 2 && m.f1At50 == 1 && m.seg == 1)
    // An image with several values is already instances: unchanged (numbered 1...n).
    #expect(twoObjects().instances().labels == twoObjects())
  }

  @Test func aggregatePoolsObjectsAndAveragesPixelScores() {
    // Image A: perfect, 2 truth objects (SEG 1). Image B: empty prediction, 2 truth objects
    // (SEG 0, IoU 0, pixel error 0.5, Rand error 0.6).
    let a = evaluateSegmentation(prediction: twoObjects(), truth: twoObjects())
    let b = evaluateSegmentation(prediction: LabelImage(width: 4, height: 4), truth: twoObjects())
    let both = SegmentationMetrics.aggregate([a, b])
    // Pooled: 2 matches of 4 truth and 2 predicted → P = 1, R = 0.5, F1 = 4/6.
    #expect(both.matchedObjects == 2 && both.truthObjects == 4 && both.predictedObjects == 2)
    #expect(both.precisionAt50 == 1 && both.recallAt50 == 0.5)
    #expect(abs(both.f1At50 - 2.0 / 3.0) < 1e-12)
    // SEG over all 4 truth objects: (1 + 1 + 0 + 0) / 4; means of the pixel scores.
    #expect(both.seg == 0.5 && both.foregroundIoU == 0.5 && both.pixelError == 0.25)
    #expect(abs(both.randError - 0.3) < 1e-12)
    #expect(SegmentationMetrics.aggregate([a]) == a)
  }
}
