/// Which random augmentations training applies to every sampled tile (the paper, Sec. 3.1:
/// "shift and rotation invariance as well as robustness to deformations and gray value
/// variations"). All default on; the protocol's `augment` object sets the four switches.
public struct AugmentationOptions: Sendable, Equatable {
  /// Smooth elastic deformation: displacements on a coarse grid, bicubic in between.
  public var elastic: Bool
  /// Random mirror flips and rotations by multiples of 90° (exact pixel permutations).
  public var flips: Bool
  /// Rotation by a uniformly random angle (interpolated; context is mirrored where needed).
  public var rotate: Bool
  /// Gentle per-channel gain, offset and gamma changes (see `IntensityJitter`).
  public var intensity: Bool
  /// Standard deviation in pixels of the grid displacements (paper: 10 px).
  public var elasticSigma: Float
  /// Grid nodes per side spanning the input tile (paper: 3, i.e. a 3×3 grid).
  public var elasticGridSize: Int
  /// Gain is drawn uniformly from [1 − g, 1 + g].
  public var gainRange: Float
  /// Offset is drawn uniformly from [−o, o] (normalised images span about 0...1).
  public var offsetRange: Float
  /// Gamma is exp(u · ln(1 + r)) with u uniform in [−1, 1], i.e. in [1/(1 + r), 1 + r].
  public var gammaRange: Float

  public init(
    elastic: Bool = true, flips: Bool = true, rotate: Bool = true, intensity: Bool = true,
    elasticSigma: Float = 10, elasticGridSize: Int = 3,
    gainRange: Float = 0.1, offsetRange: Float = 0.1, gammaRange: Float = 0.2
  ) {
    precondition(elasticSigma >= 0, "AugmentationOptions: elasticSigma \(elasticSigma) is negative")
    precondition(elasticGridSize >= 2, "AugmentationOptions: elasticGridSize \(elasticGridSize) < 2")
    precondition(
      gainRange >= 0 && gainRange < 1 && offsetRange >= 0 && gammaRange >= 0,
      "AugmentationOptions: intensity ranges gain \(gainRange), offset \(offsetRange), gamma \(gammaRange)")
    self.elastic = elastic
    self.flips = flips
    self.rotate = rotate
    self.intensity = intensity
    self.elasticSigma = elasticSigma
    self.elasticGridSize = elasticGridSize
    self.gainRange = gainRange
    self.offsetRange = offsetRange
    self.gammaRange = gammaRange
  }

  /// Every augmentation off: samples are plain (mirrored) crops.
  public static let none = AugmentationOptions(elastic: false, flips: false, rotate: false, intensity: false)
}
