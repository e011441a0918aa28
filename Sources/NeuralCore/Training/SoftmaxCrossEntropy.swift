/// Pixel-wise softmax with weighted cross-entropy: the paper's energy (Eq. 1) with the sign
/// of a loss,
///
///     E = (1/Z) · Σ_x w(x) · −log p_{ℓ(x)}(x),    p_k(x) = exp(a_k(x)) / Σ_k' exp(a_k'(x)),
///
/// where a are the logits, ℓ(x) the true class and w(x) the weight map (zero = ignore). The
/// normaliser Z is the number of output pixels by default (as the PyTorch reference's mean;
/// it keeps the learning rate independent of tile size) or, with `.weightSum`, Σ_x w(x)
/// (a weighted mean). Loss and gradient dE/da_k(x) = w(x)/Z · (p_k(x) − [k = ℓ(x)]) come out
/// of one pass; the softmax subtracts the per-pixel maximum logit first, so no exponential
/// overflows, and the log-probability is formed as a − max − log Σ exp, never as log(p).
public enum SoftmaxCrossEntropy {
  public enum Normalization: Sendable, Equatable {
    /// Z = number of output pixels (the default).
    case pixelCount
    /// Z = sum of the weights.
    case weightSum
  }

  /// Loss and dLoss/dLogits for logits K × h × w, `targets` (class per pixel, row-major h × w;
  /// ignored where the weight is 0) and `weights` (per pixel, ≥ 0).
  public static func lossAndGradient(
    logits: Tensor, targets: [Int32], weights: [Float], normalization: Normalization = .pixelCount
  ) -> (loss: Float, logitsGradient: Tensor) {
    let pixels = logits.height * logits.width
    precondition(
      targets.count == pixels && weights.count == pixels,
      "SoftmaxCrossEntropy: \(targets.count) targets and \(weights.count) weights for \(pixels) pixels")
    var gradient = Tensor(shape: logits.shape)
    let loss = logits.storage.withUnsafeBufferPointer { z in
      targets.withUnsafeBufferPointer { t in
        weights.withUnsafeBufferPointer { w in
          gradient.storage.withUnsafeMutableBufferPointer { g in
            run(
              logits: Pointers.base(z), classes: logits.channels, pixels: pixels,
              targets: t, weights: w, normalization: normalization,
              gradient: Pointers.base(g))
          }
        }
      }
    }
    return (Float(loss), gradient)
  }

  /// The raw-memory form: logits and gradient are K planes of `pixels` floats.
  static func run(
    logits: UnsafePointer<Float>, classes: Int, pixels: Int, targets: UnsafeBufferPointer<Int32>,
    weights: UnsafeBufferPointer<Float>, normalization: Normalization,
    gradient: UnsafeMutablePointer<Float>
  ) -> Double {
    var normaliser = Double(pixels)
    if normalization == .weightSum {
      normaliser = weights.reduce(0.0) { $0 + Double($1) }
    }
    let scale = normaliser > 0 ? Float(1 / normaliser) : 0
    var total = 0.0
    for i in 0..<pixels {
      let w = weights[i]
      precondition(w >= 0, "SoftmaxCrossEntropy: negative weight \(w) at pixel \(i)")
      if w == 0 {
        for k in 0..<classes { gradient[k * pixels + i] = 0 }
        continue
      }
      let target = Int(targets[i])
      precondition(
        target >= 0 && target < classes,
        "SoftmaxCrossEntropy: target \(target) at pixel \(i) outside 0..<\(classes)")
      let (maximum, sum) = shiftedExponentials(
        logits, into: gradient, pixel: i, classes: classes, pixels: pixels)
      let logProbability = logits[target * pixels + i] - maximum - Elementary.log(sum)
      total -= Double(w) * Double(logProbability)
      let factor = w * scale
      let inverseSum = 1 / sum
      for k in 0..<classes {
        gradient[k * pixels + i] = factor * (gradient[k * pixels + i] * inverseSum - (k == target ? 1 : 0))
      }
    }
    return normaliser > 0 ? total / normaliser : 0
  }

  /// Writes exp(a_k − max_k' a_k') of pixel `i` into `output` (same planar layout as
  /// `logits`; may be the same memory) and returns the maximum and the sum of the
  /// exponentials: the overflow-free core of the softmax.
  @inline(__always)
  static func shiftedExponentials(
    _ logits: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, pixel i: Int,
    classes: Int, pixels: Int
  ) -> (maximum: Float, sum: Float) {
    var maximum = logits[i]
    for k in 1..<classes { maximum = Swift.max(maximum, logits[k * pixels + i]) }
    var sum: Float = 0
    for k in 0..<classes {
      let e = Elementary.exp(logits[k * pixels + i] - maximum)
      output[k * pixels + i] = e
      sum += e
    }
    return (maximum, sum)
  }
}

/// Softmax over the channels of every pixel: class probabilities from logits (K × h × w).
public func softmax(_ logits: Tensor) -> Tensor {
  var result = logits
  let pixels = logits.height * logits.width
  let classes = logits.channels
  guard pixels > 0 && classes > 0 else { return result }
  result.storage.withUnsafeMutableBufferPointer { buffer in
    let p = Pointers.base(buffer)
    for i in 0..<pixels {
      let (_, sum) = SoftmaxCrossEntropy.shiftedExponentials(
        p, into: p, pixel: i, classes: classes, pixels: pixels)
      for k in 0..<classes { p[k * pixels + i] /= sum }
    }
  }
  return result
}
