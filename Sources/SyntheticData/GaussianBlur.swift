import NeuralCore
import ImageOps

/// A Gaussian blur of one row-major plane, separable (rows, then columns), with mirror
/// boundaries (`mirrorIndex`, as the paper extrapolates at borders).
///
/// The kernel is exp(−k² / 2σ²) for |k| ≤ ⌈3σ⌉, normalised to sum 1, so a constant plane stays
/// constant. Cost: 2(2⌈3σ⌉ + 1) multiply-adds per pixel. σ ≤ 0 returns the plane unchanged.
/// The synthetic generators use it for the optics' point spread and to smooth noise into
/// texture.
public func gaussianBlurred(_ values: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
  precondition(
    values.count == width * height, "gaussianBlurred: \(values.count) values for \(width)×\(height)")
  guard sigma > 0, width > 0, height > 0 else { return values }
  let kernel = gaussianKernel(sigma: sigma)
  let radius = kernel.count / 2
  var rows = [Float](repeating: 0, count: values.count)
  // Rows: copy each row with mirrored margins, then an inner loop without index checks.
  var padded = [Float](repeating: 0, count: width + 2 * radius)
  values.withUnsafeBufferPointer { source in
    rows.withUnsafeMutableBufferPointer { out in
      padded.withUnsafeMutableBufferPointer { pad in
        for y in 0..<height {
          let row = y * width
          for i in 0..<pad.count { pad[i] = source[row + mirrorIndex(i - radius, count: width)] }
          for x in 0..<width {
            var sum: Float = 0
            for k in 0..<kernel.count { sum += kernel[k] * pad[x + k] }
            out[row + x] = sum
          }
        }
      }
    }
  }
  // Columns: whole rows at a time, so the inner loop runs along memory.
  var result = [Float](repeating: 0, count: values.count)
  rows.withUnsafeBufferPointer { source in
    result.withUnsafeMutableBufferPointer { out in
      for y in 0..<height {
        let row = y * width
        for k in 0..<kernel.count {
          let sourceRow = mirrorIndex(y + k - radius, count: height) * width
          let weight = kernel[k]
          for x in 0..<width { out[row + x] += weight * source[sourceRow + x] }
        }
      }
    }
  }
  return result
}

/// The normalised Gaussian weights for offsets −⌈3σ⌉...⌈3σ⌉.
func gaussianKernel(sigma: Float) -> [Float] {
  let radius = max(1, Int((3 * sigma).rounded(.up)))
  let weights = (-radius...radius).map { k in
    Elementary.exp(-Float(k * k) / (2 * sigma * sigma))
  }
  let total = weights.reduce(0, +)
  return weights.map { $0 / total }
}
