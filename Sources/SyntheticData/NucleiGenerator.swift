import ImageOps
import NeuralCore

/// Settings of the fluorescence nuclei generator (`generateNuclei`). Intensities are in
/// units of the detector's full scale (images lie in 0...1).
public struct NucleiParameters: Sendable, Equatable {
  /// Size, shape and packing: radii 6-13 px, mostly round, slightly irregular, 30 % cover,
  /// 60 % placed against another nucleus (touching or overlapping a little).
  public var layout = OutlineLayout(
    radiusRange: 6...13, aspectRange: 0.6...1, irregularity: 0.05, coverage: 0.3,
    touchingFraction: 0.6, contactRange: 0.78...0.98, minimumSeparation: 0.72, minimumArea: 12)
  /// Peak brightness of a nucleus above the background.
  public var brightnessRange: ClosedRange<Float> = 0.3...0.85
  /// Relative brightness lost from the centre to the rim (r² falloff: a slightly dimmer edge).
  public var edgeFalloff: Float = 0.3
  /// Relative amplitude of the chromatin texture inside nuclei.
  public var chromatinTexture: Float = 0.12
  /// Mean background level and the amplitude of its slow variation (uneven illumination).
  public var background: Float = 0.08
  public var backgroundVariation: Float = 0.04
  /// Standard deviation of the optics' Gaussian point spread, pixels.
  public var blurSigma: Float = 1.2
  /// Expected photons at full scale: the Poisson (shot) noise level.
  public var photonsAtFullScale: Float = 100
  /// Standard deviation of the additive Gaussian (read) noise.
  public var readNoise: Float = 0.01

  public init() {}
}

/// A fluorescence-like image of nuclei with instance labels.
///
/// Bright ellipses of varied size, shape, orientation and brightness, many placed against
/// each other; overlaps are given to the nucleus the pixel lies deepest in (see
/// `partitionByEllipses`), so each pixel has one label. Nuclei have a dimmer rim and chromatin
/// texture; the background varies slowly; the sum is blurred by the point spread, turned
/// into photon counts (Poisson) with read noise, and clamped to 0...1.
public func generateNuclei(
  width: Int, height: Int, parameters: NucleiParameters = NucleiParameters(), seed: UInt64
) -> (image: Tensor, labels: LabelImage) {
  precondition(width > 0 && height > 0, "generateNuclei: empty image \(width)×\(height)")
  var random = RandomSource(seed: seed)
  let scene = OutlineScene(width: width, height: height, layout: parameters.layout, random: &random)
  let brightness = scene.ellipses.map { _ in uniform(parameters.brightnessRange, &random) }
  let labels = scene.labels

  let chromatin = smoothTexture(width: width, height: height, sigma: 1, random: &random)
  let illumination = illuminationField(width: width, height: height, random: &random)
  var image = [Float](repeating: 0, count: width * height)
  for p in image.indices {
    image[p] = max(0, parameters.background + parameters.backgroundVariation * illumination[p])
    guard labels.values[p] != 0 else { continue }
    let r = scene.depth[p]
    image[p] +=
      brightness[Int(scene.owner[p]) - 1] * (1 - parameters.edgeFalloff * r * r)
      * max(0, 1 + parameters.chromatinTexture * chromatin[p])
  }
  let finished = finishedImage(
    image, width: width, height: height, blurSigma: parameters.blurSigma,
    photonsAtFullScale: parameters.photonsAtFullScale, gaussianNoise: parameters.readNoise,
    random: &random)
  return (finished, labels)
}
