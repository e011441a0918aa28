/// Object-level scores: each truth object against the predicted objects that overlap it.
extension LabelOverlap {
  /// The Cell Tracking Challenge SEG measure (Maška et al. 2014; Ulman et al. 2017).
  ///
  /// A truth object R is matched by the predicted object S that covers more than half of it,
  /// |R ∩ S| > |R| / 2 (at most one can); its score is the Jaccard index |R ∩ S| / |R ∪ S|, or
  /// 0 without such an S. SEG is the mean over truth objects, in [0, 1].
  /// Without truth objects the mean is empty: 1 if the prediction is empty too, else 0.
  public var seg: Double {
    let truthObjects = truthObjectCount
    if truthObjects == 0 { return predictionObjectCount == 0 ? 1 : 0 }
    var scores: [(truth: Int32, jaccard: Double)] = []
    for (pair, count) in counts where pair.truth != 0 && pair.prediction != 0 {
      // Integer test of count > size / 2: exact, no rounding at the boundary.
      if 2 * count > (truthSizes[pair.truth] ?? 0) { scores.append((pair.truth, jaccard(pair, overlap: count))) }
    }
    // Summed in truth-label order (one score per truth object): a Dictionary's iteration order
    // differs from one instance to the next (per-instance hash seeds), and a floating-point sum
    // depends on its order, so the same images could score a last bit apart (and calibration
    // ties be broken by chance).
    scores.sort { $0.truth < $1.truth }
    return scores.reduce(0) { $0 + $1.jaccard } / Double(truthObjects)
  }

  /// Truth/prediction object pairs whose intersection over union exceeds 0.5.
  ///
  /// IoU > 0.5 makes the matching one-to-one without an assignment step: if R matched S and
  /// S' with IoU > 0.5 each, S and S' would each overlap R in more than half of R ∪ S (resp.
  /// R ∪ S'), hence in more than |R| / 2 pixels each, which disjoint S, S' cannot.
  /// Tested in integers: n / (t + s − n) > 1/2 ⇔ 3n > t + s.
  public var matchedObjectCount: Int {
    var matched = 0
    for (pair, count) in counts where pair.truth != 0 && pair.prediction != 0 {
      let sizes = (truthSizes[pair.truth] ?? 0) + (predictionSizes[pair.prediction] ?? 0)
      if 3 * count > sizes { matched += 1 }
    }
    return matched
  }
}

/// Detection scores at IoU 0.5 from object counts (pooled over images if the counts are).
///
/// precision = matched / predicted, recall = matched / truth, F1 = 2 matched / (truth +
/// predicted). An empty denominator gives 0 (nothing found, or nothing to find), except
/// that an empty prediction of an empty truth scores 1 throughout.
public struct DetectionScores: Sendable, Equatable {
  public var precision: Double
  public var recall: Double
  public var f1: Double

  public init(matched: Int, truthObjects: Int, predictedObjects: Int) {
    precondition(
      matched >= 0 && matched <= truthObjects && matched <= predictedObjects,
      "DetectionScores: \(matched) matches for \(truthObjects) truth"
        + " and \(predictedObjects) predicted objects")
    if truthObjects == 0 && predictedObjects == 0 {
      (precision, recall, f1) = (1, 1, 1)
      return
    }
    precision = predictedObjects == 0 ? 0 : Double(matched) / Double(predictedObjects)
    recall = truthObjects == 0 ? 0 : Double(matched) / Double(truthObjects)
    f1 = 2 * Double(matched) / Double(truthObjects + predictedObjects)
  }
}
