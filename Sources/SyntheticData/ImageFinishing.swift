import NeuralCore

/// Slow illumination variation over a whole width × height image: a `SmoothRandomField`
/// with a wavelength of ¾ of the longer side (mean 0, standard deviation 1).
func illuminationField(width: Int, height: Int, random: inout RandomSource) -> [Float] {
  SmoothRandomField(wavelength: 0.75 * Float(max(width, height)), random: &random)
    .sampled(width: width, height: height)
}

/// The optics and detector applied to a clean rendering: Gaussian blur, then (if
/// `photonsAtFullScale` is given) Poisson shot noise at that many photons for intensity 1,
/// then additive Gaussian noise, then clamping to 0...1; returned as a 1 × height × width
/// tensor.
func finishedImage(
  _ clean: [Float], width: Int, height: Int, blurSigma: Float, photonsAtFullScale: Float? = nil,
  gaussianNoise: Float, random: inout RandomSource
) -> Tensor {
  var image = gaussianBlurred(clean, width: width, height: height, sigma: blurSigma)
  if let photons = photonsAtFullScale {
    for p in image.indices { image[p] = random.nextPoisson(mean: max(0, image[p]) * photons) / photons }
  }
  addGaussianNoise(&image, sigma: gaussianNoise, random: &random)
  clamp(&image, to: 0...1)
  return Tensor(shape: Shape(channels: 1, height: height, width: width), storage: image)
}
