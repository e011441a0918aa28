import Foundation
import NeuralCore

/// Mirror extrapolation by walking: step from 0 towards `i` one pixel at a time, turning
/// around at each edge without repeating the edge pixel. An independent oracle for
/// `mirrorIndex` and `Tensor.mirroredWindow`.
func naiveMirror(_ i: Int, count n: Int) -> Int {
  if n == 1 { return 0 }
  var position = 0
  var direction = i >= 0 ? 1 : -1
  for _ in 0..<abs(i) {
    if position + direction < 0 || position + direction >= n { direction = -direction }
    position += direction
  }
  return position
}

/// The window predictor applied directly to every pixel of the (conceptually) mirror-padded
/// image in double precision: the untiled, un-augmented reference.
/// - Parameter kernel: weight(c, dy, dx) for dy, dx in −m...m.
func naiveWindowPrediction(
  _ image: Tensor, margin m: Int, bias: Double, kernel: (Int, Int, Int) -> Double
) -> [Double] {
  var result = [Double](repeating: 0, count: image.height * image.width)
  for y in 0..<image.height {
    for x in 0..<image.width {
      var logit = bias
      for c in 0..<image.channels {
        for dy in -m...m {
          for dx in -m...m {
            let sy = naiveMirror(y + dy, count: image.height)
            let sx = naiveMirror(x + dx, count: image.width)
            logit += kernel(c, dy, dx) * Double(image[c, sy, sx])
          }
        }
      }
      result[y * image.width + x] = 1 / (1 + exp(-logit))
    }
  }
  return result
}

/// A C×H×W tensor of seeded uniform values in [−1, 1).
func randomImage(channels: Int, height: Int, width: Int, seed: UInt64) -> Tensor {
  var random = RandomSource(seed: seed)
  let values = (0..<(channels * height * width)).map { _ in random.nextUniform() * 2 - 1 }
  return Tensor(shape: Shape(channels: channels, height: height, width: width), storage: values)
}

/// The largest |a − b| over two equally long sequences.
func maxAbsDifference(_ a: [Float], _ b: [Double]) -> Double {
  precondition(a.count == b.count)
  return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
  precondition(a.count == b.count)
  return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
