/// The foreground-restricted Rand scores of the ISBI 2012 EM segmentation challenge
/// (Arganda-Carreras et al. 2015, "Crowdsourcing the creation of image segmentation
/// algorithms for connectomics"; the challenge's Fiji evaluation, Trainable Weka
/// Segmentation's `RandError.foregroundRestrictedStatsN2`).
///
/// Only pixels that are foreground in the truth take part. With n_ij the pixels of truth
/// object i in predicted object j (j ≠ 0), t_i the size of truth object i, s_j = Σ_i n_ij and
/// c the truth-foreground pixels that the prediction calls background, each of those c
/// pixels counts as an object of its own (a singleton: it is merged with nothing):
///
///     split score  V_split = (Σ n_ij² + c) / Σ t_i²        (recall of "same object" pairs)
///     merge score  V_merge = (Σ n_ij² + c) / (Σ s_j² + c)  (precision of "same object" pairs)
///     F = 2 V_split V_merge / (V_split + V_merge),   Rand error = 1 − F
///
/// Pairs are ordered and include a pixel with itself (the N² form), as in the challenge.
/// Unlike the challenge this scores the given segmentation as is: no sweep over
/// probability thresholds and no thinning of the boundaries.
public struct RandScores: Sendable, Equatable {
  /// V_split: 1 when no truth object is split (or partly called background).
  public var split: Double
  /// V_merge: 1 when no predicted object joins pixels of different truth objects.
  public var merge: Double

  public init(split: Double, merge: Double) {
    self.split = split
    self.merge = merge
  }

  /// 2 V_split V_merge / (V_split + V_merge).
  public var fScore: Double { 2 * split * merge / (split + merge) }

  /// 1 − F, the challenge's Rand error.
  public var error: Double { 1 - fScore }
}

extension LabelOverlap {
  /// The foreground-restricted Rand scores (see `RandScores`). A truth without foreground
  /// leaves nothing to split or merge: both scores are 1 and the error 0 (the foreground
  /// IoU and pixel error still see a false prediction).
  public var randScores: RandScores {
    var sumJoint = 0.0  // Σ n_ij² over truth objects i and predicted objects j
    var singletons = 0.0  // c: truth foreground predicted as background
    var sumPredicted: [Int32: Double] = [:]  // s_j, restricted to truth foreground
    for (pair, count) in counts where pair.truth != 0 {
      let n = Double(count)
      if pair.prediction == 0 {
        singletons += n
      } else {
        sumJoint += n * n
        sumPredicted[pair.prediction, default: 0] += n
      }
    }
    var sumTruth = 0.0  // Σ t_i²
    for (label, size) in truthSizes where label != 0 { sumTruth += Double(size) * Double(size) }
    if sumTruth == 0 { return RandScores(split: 1, merge: 1) }
    let sumPredictedSquares = sumPredicted.values.reduce(0) { $0 + $1 * $1 }
    let agreeing = sumJoint + singletons
    return RandScores(split: agreeing / sumTruth, merge: agreeing / (sumPredictedSquares + singletons))
  }
}
