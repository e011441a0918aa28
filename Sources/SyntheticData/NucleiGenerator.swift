import ImageOps
import NeuralCore

/// Settings of the fluorescence nuclei generator (`generateNuclei`). Intensities are in
/// units of the detector's full scale (images lie in 0...1).
public struct NucleiParameters: Sendable, Equatable {
  /// Equivalent radius √(ab) of a nucleus, pixels.
  public var radiusRange: ClosedRange<Float> = 6...13
  /// Minor / major semi-axis.
  public var aspectRange: ClosedRange<Float> = 0.6...1
  /// Relative radial wobble of the outlines (0: perfect ellipses).
  public var irregularity: Float = 0.05
  /// Fraction of the image covered by nuclei.
  public var coverage: Float = 0.3
  /// Chance that a nucleus is placed against another (touching or slightly overlapping).
  public var touchingFraction: Float = 0.6
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
  /// Objects smaller than this (slivers cut by overlaps or the border) become background.
  public var minimumArea: Int = 12

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
  let scene = OutlineScene(
    width: width, height: height,
    rule: LayoutRule(
      coverage: parameters.coverage, radiusRange: parameters.radiusRange,
      touchingFraction: parameters.touchingFraction, contactRange: 0.78...0.98,
      minimumSeparation: 0.72),
    aspectRange: parameters.aspectRange, irregularity: parameters.irregularity,
    minimumArea: parameters.minimumArea, random: &random)
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
