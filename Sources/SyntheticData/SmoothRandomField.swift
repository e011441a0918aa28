import NeuralCore

/// A smooth random function of the plane: a sum of plane waves with random directions,
/// phases and wavelengths near a chosen one (random Fourier features).
///
///     f(x, y) = Σ_k √(2/K) cos(u_k x + v_k y + φ_k),   |(u_k, v_k)| = 2π / (λ · s_k),  s_k ∈ [0.7, 1.4]
///
/// so f has mean 0 and variance 1 over the plane, and varies on the scale λ. The generators
/// use it for uneven illumination and for the smooth displacement fields that make cell
/// outlines irregular. Sampling a whole plane is separable: cos(a + b) = cos a cos b − sin a
/// sin b with one table per row and column, so it costs 2K multiply-adds per pixel.
public struct SmoothRandomField: Sendable {
  struct Wave: Sendable {
    var u: Double
    var v: Double
    var phase: Double
  }

  let waves: [Wave]
  let amplitude: Float

  /// A field varying on the scale `wavelength` (pixels), made of `waveCount` waves.
  public init(wavelength: Float, waveCount: Int = 8, random: inout RandomSource) {
    precondition(wavelength > 0, "SmoothRandomField: wavelength \(wavelength) must be positive")
    precondition(waveCount > 0, "SmoothRandomField: waveCount \(waveCount) must be positive")
    waves = (0..<waveCount).map { _ in
      let angle = 2 * Double.pi * random.nextUniformDouble()
      let frequency = 2 * Double.pi / (Double(wavelength) * (0.7 + 0.7 * random.nextUniformDouble()))
      return Wave(
        u: frequency * Elementary.cos(angle), v: frequency * Elementary.sin(angle),
        phase: 2 * Double.pi * random.nextUniformDouble())
    }
    amplitude = Float((2.0 / Double(waveCount)).squareRoot())
  }

  /// f at one point, evaluated directly.
  public func value(x: Float, y: Float) -> Float {
    var sum = 0.0
    for wave in waves { sum += Elementary.cos(wave.u * Double(x) + wave.v * Double(y) + wave.phase) }
    return amplitude * Float(sum)
  }

  /// f at every pixel centre (x, y) = (column, row) of a width × height plane, row-major.
  public func sampled(width: Int, height: Int) -> [Float] {
    var plane = [Float](repeating: 0, count: width * height)
    var cosX = [Float](repeating: 0, count: width)
    var sinX = [Float](repeating: 0, count: width)
    for wave in waves {
      for x in 0..<width {
        let a = wave.u * Double(x) + wave.phase
        cosX[x] = amplitude * Float(Elementary.cos(a))
        sinX[x] = amplitude * Float(Elementary.sin(a))
      }
      for y in 0..<height {
        let b = wave.v * Double(y)
        let cosY = Float(Elementary.cos(b))
        let sinY = Float(Elementary.sin(b))
        let row = y * width
        for x in 0..<width { plane[row + x] += cosX[x] * cosY - sinX[x] * sinY }
      }
    }
    return plane
  }
}
