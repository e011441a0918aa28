import Foundation
import NeuralCore
import Segmentation

/// Counts calls from inside non-mutating predictor methods.
final class CallCounter: @unchecked Sendable {
  var calls = 0
}

/// An unpadded "network" without pooling: output pixel = sigmoid(Σ w · input window + b) over
/// the (2m+1)² window centred on it, all channels; legal output sizes are multiples of 4.
struct WindowPredictor: TilePredictor {
  let inputChannels: Int
  let windowMargin: Int
  /// C × (2m+1) × (2m+1), row-major.
  let weights: [Double]
  let bias: Double
  let counter = CallCounter()

  var classes: Int { 2 }
  var outputAlignment: Int { 1 }
  var side: Int { 2 * windowMargin + 1 }

  init(inputChannels: Int, margin: Int, weights: [Double], bias: Double = 0.1) {
    precondition(weights.count == inputChannels * (2 * margin + 1) * (2 * margin + 1))
    self.inputChannels = inputChannels
    self.windowMargin = margin
    self.weights = weights
    self.bias = bias
  }

  /// Random weights scaled so that logits are of order 1.
  init(inputChannels: Int, margin: Int, seed: UInt64) {
    var random = RandomSource(seed: seed)
    let count = inputChannels * (2 * margin + 1) * (2 * margin + 1)
    let scale = 2 / Double(count).squareRoot()
    self.init(
      inputChannels: inputChannels, margin: margin,
      weights: (0..<count).map { _ in Double(random.nextGaussian()) * scale })
  }

  func weight(_ c: Int, _ dy: Int, _ dx: Int) -> Double {
    weights[(c * side + dy + windowMargin) * side + dx + windowMargin]
  }

  func inputSize(forOutputSize outputSize: Int) -> Int? {
    outputSize > 0 && outputSize % 4 == 0 ? outputSize + 2 * windowMargin : nil
  }
  func largestLegalOutputSize(atMost limit: Int) -> Int? { limit >= 4 ? limit / 4 * 4 : nil }
  func smallestLegalOutputSize(atLeast limit: Int) -> Int? { max(4, (limit + 3) / 4 * 4) }
  func estimatedBytes(forOutputSize outputSize: Int) -> Int {
    let inputSize = outputSize + 2 * windowMargin
    return 4 * 16 * inputSize * inputSize
  }

  func predictProbabilities(_ tile: Tensor) -> Tensor {
    counter.calls += 1
    let out = tile.height - 2 * windowMargin
    precondition(tile.channels == inputChannels && tile.width == tile.height && inputSize(forOutputSize: out) != nil)
    var result = Tensor(channels: 2, height: out, width: out)
    for y in 0..<out {
      for x in 0..<out {
        var logit = bias
        for c in 0..<inputChannels {
          for dy in -windowMargin...windowMargin {
            for dx in -windowMargin...windowMargin {
              logit += weight(c, dy, dx) * Double(tile[c, y + windowMargin + dy, x + windowMargin + dx])
            }
          }
        }
        let p = 1 / (1 + Foundation.exp(-logit))
        result[0, y, x] = Float(1 - p)
        result[1, y, x] = Float(p)
      }
    }
    return result
  }
}

/// A tiny U-Net without skip connections, in the shape of the real one: valid 3×3 conv
/// (C→1), 2×2 max-pool, conv, pool, conv, nearest 2× up-sampling, conv, up-sampling, conv,
/// sigmoid. Input in = out + 20 (margin 10); legal outputs are 2, 6, 10, ... (every pool sees
/// an even size), and the output is shift-equivariant only for shifts by multiples of 4.
struct PoolingPredictor: TilePredictor {
  let inputChannels: Int
  /// Five 3×3 kernels: the first C×3×3, the rest 1×3×3.
  let kernels: [[Float]]
  let counter = CallCounter()
  /// What the predictor reports; a wrong value shows that the plan's alignment matters.
  var reportedAlignment = 4

  var classes: Int { 2 }
  var outputAlignment: Int { reportedAlignment }

  init(inputChannels: Int, seed: UInt64) {
    var random = RandomSource(seed: seed)
    self.inputChannels = inputChannels
    self.kernels = (0..<5).map { layer in
      let count = (layer == 0 ? inputChannels : 1) * 9
      return (0..<count).map { _ in random.nextGaussian() * 0.6 }
    }
  }

  func inputSize(forOutputSize outputSize: Int) -> Int? {
    outputSize >= 2 && outputSize % 4 == 2 ? outputSize + 20 : nil
  }
  func largestLegalOutputSize(atMost limit: Int) -> Int? { limit >= 2 ? (limit - 2) / 4 * 4 + 2 : nil }
  func smallestLegalOutputSize(atLeast limit: Int) -> Int? { max(2, (limit - 2 + 3) / 4 * 4 + 2) }
  func estimatedBytes(forOutputSize outputSize: Int) -> Int {
    let inputSize = outputSize + 20
    return 4 * (inputChannels + 2) * inputSize * inputSize
  }

  func predictProbabilities(_ tile: Tensor) -> Tensor {
    counter.calls += 1
    var x = convolve(tile, kernels[0])
    x = maxPool(x)
    x = convolve(x, kernels[1])
    x = maxPool(x)
    x = convolve(x, kernels[2])
    x = upsample(x)
    x = convolve(x, kernels[3])
    x = upsample(x)
    x = convolve(x, kernels[4])
    var result = Tensor(channels: 2, height: x.height, width: x.width)
    for y in 0..<x.height {
      for xx in 0..<x.width {
        let p = 1 / (1 + Foundation.exp(-(x[0, y, xx] - 0.2)))
        result[0, y, xx] = 1 - p
        result[1, y, xx] = p
      }
    }
    return result
  }

  private func convolve(_ input: Tensor, _ kernel: [Float]) -> Tensor {
    let h = input.height - 2
    let w = input.width - 2
    var output = Tensor(channels: 1, height: h, width: w)
    for y in 0..<h {
      for x in 0..<w {
        var sum: Float = 0
        for c in 0..<input.channels {
          for ky in 0..<3 {
            for kx in 0..<3 { sum += kernel[(c * 3 + ky) * 3 + kx] * input[c, y + ky, x + kx] }
          }
        }
        output[0, y, x] = sum
      }
    }
    return output
  }

  private func maxPool(_ input: Tensor) -> Tensor {
    precondition(input.height % 2 == 0 && input.width % 2 == 0, "pooling an odd size \(input.shape)")
    var output = Tensor(channels: 1, height: input.height / 2, width: input.width / 2)
    for y in 0..<output.height {
      for x in 0..<output.width {
        output[0, y, x] = max(
          max(input[0, 2 * y, 2 * x], input[0, 2 * y, 2 * x + 1]),
          max(input[0, 2 * y + 1, 2 * x], input[0, 2 * y + 1, 2 * x + 1]))
      }
    }
    return output
  }

  private func upsample(_ input: Tensor) -> Tensor {
    var output = Tensor(channels: 1, height: input.height * 2, width: input.width * 2)
    for y in 0..<output.height {
      for x in 0..<output.width { output[0, y, x] = input[0, y / 2, x / 2] }
    }
    return output
  }
}
