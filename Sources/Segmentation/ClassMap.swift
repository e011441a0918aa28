import NeuralCore

/// The most probable class of every pixel of K×H×W softmax probabilities (ties: the lower
/// class), row-major; the `classes` output of `segment`.
public func mostProbableClasses(_ probabilities: Tensor) -> [UInt8] {
  let classes = probabilities.channels
  let plane = probabilities.height * probabilities.width
  precondition(classes >= 2 && classes <= 256, "mostProbableClasses: \(classes) classes")
  return probabilities.storage.withUnsafeBufferPointer { p in
    (0..<plane).map { i in
      var best = 0
      for k in 1..<classes where p[k * plane + i] > p[best * plane + i] { best = k }
      return UInt8(best)
    }
  }
}

/// The foreground probability P(fg) = Σ_{k≥1} p_k = 1 − p_0 of K×H×W probabilities, as 1×H×W.
public func foregroundProbability(_ probabilities: Tensor) -> Tensor {
  let plane = probabilities.height * probabilities.width
  let foreground = probabilities.storage.withUnsafeBufferPointer { p in
    (0..<plane).map { foregroundSum(p, at: $0, plane: plane, classes: probabilities.channels) }
  }
  return Tensor(shape: Shape(channels: 1, height: probabilities.height, width: probabilities.width), storage: foreground)
}

/// Σ_{k≥1} p_k of pixel `i` of K planes of `plane` floats, summed in class order (the one
/// rule for the foreground probability, shared with the overlap-tile stitching).
@inline(__always)
func foregroundSum(_ p: UnsafeBufferPointer<Float>, at i: Int, plane: Int, classes: Int) -> Float {
  var sum = p[plane + i]
  for k in 2..<classes { sum += p[k * plane + i] }
  return sum
}
