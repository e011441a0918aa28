/// Inverted dropout (Srivastava et al. 2014), which the paper places at the end of the
/// contracting path as implicit data augmentation: each value is zeroed with probability p
/// and the kept ones are scaled by 1/(1−p), so inference needs no rescaling.
///
/// Applied in place after a ReLU, the backward pass needs no mask: a value is positive after
/// dropout exactly when it was positive before and kept, so the ReLU mask of the dropped-out
/// output, times 1/(1−p), is the derivative of both (`GradientMasking`).
public enum Dropout {
  /// Applies dropout in place; draws one uniform from `rng` per element, in order.
  public static func apply(_ values: inout [Float], probability: Float, rng: inout RandomSource) {
    values.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      apply(base, count: buffer.count, probability: probability, rng: &rng)
    }
  }

  static func apply(
    _ values: UnsafeMutablePointer<Float>, count: Int, probability: Float,
    rng: inout RandomSource
  ) {
    precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) outside [0, 1)")
    let scale = 1 / (1 - probability)
    for i in 0..<count {
      values[i] = rng.nextUniform() < probability ? 0 : values[i] * scale
    }
  }
}
