import ImageOps
import NeuralCore
import SyntheticData
import Testing

@Suite struct GaussianBlurTests {
  /// The 2-D convolution written out: every output pixel sums w(i)·w(j)·input over the
  /// (2r+1)² window, reflecting coordinates that fall outside the image.
  func naiveBlur(_ values: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
    let radius = Int((3 * sigma).rounded(.up))
    var weights = (-radius...radius).map { k in Elementary.exp(-Float(k * k) / (2 * sigma * sigma)) }
    let total = weights.reduce(0, +)
    weights = weights.map { $0 / total }
    var out = [Float](repeating: 0, count: values.count)
    for y in 0..<height {
      for x in 0..<width {
        var sum: Float = 0
        for j in -radius...radius {
          for i in -radius...radius {
            let sy = mirrorIndex(y + j, count: height)
            let sx = mirrorIndex(x + i, count: width)
            sum += weights[j + radius] * weights[i + radius] * values[sy * width + sx]
          }
        }
        out[y * width + x] = sum
      }
    }
    return out
  }

  @Test(arguments: [(Float(0.8), 13, 9), (1.5, 20, 17), (2.5, 4, 3), (1.0, 1, 6)])
  func matchesTheDirectTwoDimensionalConvolution(sigma: Float, width: Int, height: Int) {
    var random = RandomSource(seed: 5)
    let values = (0..<(width * height)).map { _ in random.nextUniform() }
    let fast = gaussianBlurred(values, width: width, height: height, sigma: sigma)
    let slow = naiveBlur(values, width: width, height: height, sigma: sigma)
    #expect(zip(fast, slow).allSatisfy { abs($0 - $1) < 1e-5 }, "σ \(sigma), \(width)×\(height)")
  }

  @Test func keepsAConstantPlaneAndSkipsZeroSigma() {
    let constant = [Float](repeating: 0.25, count: 30)
    let blurred = gaussianBlurred(constant, width: 6, height: 5, sigma: 2)
    #expect(blurred.allSatisfy { abs($0 - 0.25) < 1e-6 })
    let values: [Float] = [1, 2, 3, 4]
    #expect(gaussianBlurred(values, width: 2, height: 2, sigma: 0) == values)
  }
}
