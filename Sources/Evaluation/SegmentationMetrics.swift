import ImageOps

/// Every score `evaluate` reports for one predicted label image against its truth.
///
/// Definitions (all from `LabelOverlap`): foreground IoU and pixel error compare
/// foreground/background only; `randError` is the ISBI 2012 foreground-restricted Rand
/// error (`RandScores`) and `adaptedRandError` scikit-image's variant of it (the prediction's
/// background counts as one segment; `LabelOverlap.adaptedRandError`); `seg` is the Cell Tracking Challenge SEG; the detection scores
/// count truth/prediction object pairs with IoU > 0.5 (one-to-one by construction).
/// Scores lie in [0, 1]; higher is better except for the two errors.
public struct SegmentationMetrics: Sendable, Equatable {
  public var foregroundIoU: Double
  public var pixelError: Double
  public var randError: Double
  public var adaptedRandError: Double
  public var seg: Double
  public var f1At50: Double
  public var precisionAt50: Double
  public var recallAt50: Double
  public var truthObjects: Int
  public var predictedObjects: Int
  public var matchedObjects: Int

  public init(
    foregroundIoU: Double, pixelError: Double, randError: Double, adaptedRandError: Double, seg: Double,
    f1At50: Double, precisionAt50: Double, recallAt50: Double,
    truthObjects: Int, predictedObjects: Int, matchedObjects: Int
  ) {
    self.foregroundIoU = foregroundIoU
    self.pixelError = pixelError
    self.randError = randError
    self.adaptedRandError = adaptedRandError
    self.seg = seg
    self.f1At50 = f1At50
    self.precisionAt50 = precisionAt50
    self.recallAt50 = recallAt50
    self.truthObjects = truthObjects
    self.predictedObjects = predictedObjects
    self.matchedObjects = matchedObjects
  }

  /// The metrics of a finished contingency table.
  public init(_ overlap: LabelOverlap) {
    let matched = overlap.matchedObjectCount
    let truthObjects = overlap.truthObjectCount
    let predictedObjects = overlap.predictionObjectCount
    let detection = DetectionScores(
      matched: matched, truthObjects: truthObjects, predictedObjects: predictedObjects)
    self.init(
      foregroundIoU: overlap.foregroundIoU, pixelError: overlap.pixelError,
      randError: overlap.randScores.error, adaptedRandError: overlap.adaptedRandError, seg: overlap.seg,
      f1At50: detection.f1, precisionAt50: detection.precision, recallAt50: detection.recall,
      truthObjects: truthObjects, predictedObjects: predictedObjects, matchedObjects: matched)
  }
}

/// Scores a predicted label image against the truth (same size; 0 is background, every
/// other value one object). Both are read by the protocol's rule for label files
/// (`LabelImage.instances`): a mask with a single foreground value is split into 4-connected
/// objects, and objects are numbered 1...n.
public func evaluateSegmentation(prediction: LabelImage, truth: LabelImage) -> SegmentationMetrics {
  SegmentationMetrics(
    LabelOverlap(prediction: prediction.instances().labels, truth: truth.instances().labels))
}
