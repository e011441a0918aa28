extension LabelOverlap {
  /// The adapted Rand error as scikit-image computes it (`skimage.metrics.adapted_rand_error`
  /// with its default `ignore_labels=(0,)`), the definition of the CREMI and SNEMI challenges
  /// and of the peers' `metrics.py`.
  ///
  /// Only truth-foreground pixels take part, as in `randScores`, but the prediction's
  /// background is one segment like any other: truth-foreground pixels called background are
  /// all "merged" with each other, so thick predicted boundaries cost more here than in the
  /// ISBI challenge's score, where each such pixel is a singleton. With n_ij the pixels of truth
  /// object i in predicted segment j (j = 0 included), a_i = Σ_j n_ij, b_j = Σ_i n_ij and N their
  /// total, pairs of distinct pixels are counted:
  ///
  ///     P = (Σ n_ij² − N) / (Σ b_j² − N),  R = (Σ n_ij² − N) / (Σ a_i² − N)
  ///     error = 1 − 2PR / (P + R)
  ///
  /// A truth with fewer than two foreground pixels has no pairs: the error is 0.
  public var adaptedRandError: Double {
    var joint = 0.0
    var total = 0.0
    var segments: [Int32: Double] = [:]
    for (pair, count) in counts where pair.truth != 0 {
      let n = Double(count)
      joint += n * n
      total += n
      segments[pair.prediction, default: 0] += n
    }
    var truthSquares = 0.0
    for (label, size) in truthSizes where label != 0 { truthSquares += Double(size) * Double(size) }
    let segmentSquares = segments.values.reduce(0) { $0 + $1 * $1 }
    guard total >= 2, joint - total > 0 else { return total >= 2 ? 1 : 0 }
    let precision = (joint - total) / (segmentSquares - total)
    let recall = (joint - total) / (truthSquares - total)
    return 1 - 2 * precision * recall / (precision + recall)
  }
}
