import NeuralCore

/// A per-pixel displacement: the pixel at p shows the shapes at p + (dx, dy), which bends
/// straight outlines into irregular ones. `bound` is the largest displacement in pixels.
struct DisplacementField: Sendable {
  var dx: [Float]
  var dy: [Float]
  var bound: Float
}

extension DisplacementField {
  /// A smooth random displacement: two independent `SmoothRandomField`s of the given
  /// wavelength scaled by `amplitude` (their standard deviation, in pixels).
  init(width: Int, height: Int, wavelength: Float, amplitude: Float, random: inout RandomSource) {
    let fieldX = SmoothRandomField(wavelength: wavelength, random: &random)
    let fieldY = SmoothRandomField(wavelength: wavelength, random: &random)
    dx = fieldX.sampled(width: width, height: height).map { $0 * amplitude }
    dy = fieldY.sampled(width: width, height: height).map { $0 * amplitude }
    bound = max(dx.map(abs).max() ?? 0, dy.map(abs).max() ?? 0)
  }
}
