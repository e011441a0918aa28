import NeuralCore

extension RandomSource {
  /// A Poisson-distributed count with the given mean (photon shot noise).
  ///
  /// Knuth's product-of-uniforms method below a mean of 30 (exact); above, the normal
  /// approximation N(mean, mean) rounded and clamped at 0, whose error is negligible for
  /// image noise at that count.
  public mutating func nextPoisson(mean: Float) -> Float {
    precondition(mean >= 0, "nextPoisson: mean \(mean) must not be negative")
    if mean >= 30 {
      return max(0, (mean + mean.squareRoot() * nextGaussian()).rounded())
    }
    let limit = Elementary.exp(-mean)
    var product = nextUniform()
    var count: Float = 0
    while product > limit {
      count += 1
      product *= nextUniform()
    }
    return count
  }
}

/// White Gaussian noise smoothed by a Gaussian of `sigma` and rescaled to mean 0 and
/// standard deviation 1: random texture with grains of about `sigma` pixels.
func smoothTexture(width: Int, height: Int, sigma: Float, random: inout RandomSource) -> [Float] {
  let white = (0..<(width * height)).map { _ in random.nextGaussian() }
  let smooth = gaussianBlurred(white, width: width, height: height, sigma: sigma)
  let count = Float(max(1, smooth.count))
  let mean = smooth.reduce(0, +) / count
  let variance = smooth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / count
  let scale = variance > 0 ? 1 / variance.squareRoot() : 0
  return smooth.map { ($0 - mean) * scale }
}

/// Adds Gaussian noise of standard deviation `sigma` to every value.
func addGaussianNoise(_ values: inout [Float], sigma: Float, random: inout RandomSource) {
  guard sigma > 0 else { return }
  for i in values.indices { values[i] += sigma * random.nextGaussian() }
}

/// Clamps every value into `range` (a detector's floor and saturation).
func clamp(_ values: inout [Float], to range: ClosedRange<Float>) {
  for i in values.indices { values[i] = min(max(values[i], range.lowerBound), range.upperBound) }
}
