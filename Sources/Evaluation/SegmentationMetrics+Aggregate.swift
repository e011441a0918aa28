extension SegmentationMetrics {
  /// The scores of a set of images (a test set, or the pages of a stack) as one row.
  ///
  /// Object counts are summed and the detection scores recomputed from the sums, so every
  /// object weighs the same whatever image it is in; SEG is the mean over all truth objects
  /// of the set, as the Cell Tracking Challenge averages over a whole sequence (weighted by
  /// each image's truth objects; a plain mean when no image has any). Foreground IoU, pixel
  /// error and the Rand errors are per-image means. An empty list is a precondition failure.
  public static func aggregate(_ metrics: [SegmentationMetrics]) -> SegmentationMetrics {
    precondition(!metrics.isEmpty, "SegmentationMetrics.aggregate: no metrics to aggregate")
    let count = Double(metrics.count)
    func mean(_ score: (SegmentationMetrics) -> Double) -> Double {
      metrics.reduce(0) { $0 + score($1) } / count
    }
    let truthObjects = metrics.reduce(0) { $0 + $1.truthObjects }
    let predictedObjects = metrics.reduce(0) { $0 + $1.predictedObjects }
    let matched = metrics.reduce(0) { $0 + $1.matchedObjects }
    let seg =
      truthObjects == 0
      ? mean(\.seg)
      : metrics.reduce(0) { $0 + $1.seg * Double($1.truthObjects) } / Double(truthObjects)
    let detection = DetectionScores(
      matched: matched, truthObjects: truthObjects, predictedObjects: predictedObjects)
    return SegmentationMetrics(
      foregroundIoU: mean(\.foregroundIoU), pixelError: mean(\.pixelError),
      randError: mean(\.randError), adaptedRandError: mean(\.adaptedRandError), seg: seg,
      f1At50: detection.f1, precisionAt50: detection.precision, recallAt50: detection.recall,
      truthObjects: truthObjects, predictedObjects: predictedObjects, matchedObjects: matched)
  }
}
