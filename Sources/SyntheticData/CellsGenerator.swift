import ImageOps
import NeuralCore

/// Settings of the phase-contrast/DIC-like cell generator (`generateCells`). Intensities
/// are in 0...1 around a mid-grey background, as a phase-contrast camera shows them.
public struct CellParameters: Sendable, Equatable {
  /// Size, shape and packing: radii 12-22 px, often elongated and lobed, 45 % cover, 85 %
  /// placed against another cell, so most grow in touching colonies.
  public var layout = OutlineLayout(
    radiusRange: 12...22, aspectRange: 0.55...1, irregularity: 0.15, coverage: 0.45,
    touchingFraction: 0.85, contactRange: 0.72...0.92, minimumSeparation: 0.62, minimumArea: 40)
  /// Background level and its slow variation.
  public var background: Float = 0.5
  public var backgroundVariation: Float = 0.03
  /// Mean interior level relative to the background (low contrast) and the spread between
  /// cells.
  public var interiorContrast: Float = -0.1
  public var cellVariation: Float = 0.03
  /// Amplitude of the interior texture (granular cytoplasm).
  public var textureAmplitude: Float = 0.05
  /// Bright halo just outside each cell (and the matching dark rim inside), and its width.
  public var haloStrength: Float = 0.3
  public var haloWidth: Float = 2
  /// Brightening of the line where two cells touch.
  public var borderStrength: Float = 0.1
  /// DIC-like relief: shading along the diagonal derivative of the cell outlines.
  public var relief: Float = 0.25
  /// Optics blur and Gaussian camera noise.
  public var blurSigma: Float = 0.8
  public var noise: Float = 0.03

  public init() {}
}

/// A phase-contrast/DIC-like image of touching cells with instance labels (the paper's
/// PhC-U373 and DIC-HeLa style).
///
/// Cells are lobed ellipses (`Ellipse` harmonics) in colonies; touching cells split their
/// overlap by depth (`partitionByEllipses`). The image is a mid-grey
/// background with low-contrast, textured interiors, a bright halo outside every outline and
/// a dark rim inside, faint bright lines where cells touch, diagonal relief shading, blur
/// and Gaussian noise, clamped to 0...1.
public func generateCells(
  width: Int, height: Int, parameters: CellParameters = CellParameters(), seed: UInt64
) -> (image: Tensor, labels: LabelImage) {
  precondition(width > 0 && height > 0, "generateCells: empty image \(width)×\(height)")
  var random = RandomSource(seed: seed)
  let scene = OutlineScene(width: width, height: height, layout: parameters.layout, random: &random)
  let labels = scene.labels

  let cellOffset = scene.ellipses.map { _ in parameters.cellVariation * (2 * random.nextUniform() - 1) }
  let texture = smoothTexture(width: width, height: height, sigma: 1.5, random: &random)
  let illumination = illuminationField(width: width, height: height, random: &random)
  let mask = labels.values.map { $0 != 0 ? Float(1) : 0 }
  let spread = gaussianBlurred(mask, width: width, height: height, sigma: parameters.haloWidth)
  let borders = sharedBorders(labels)
  var image = [Float](repeating: 0, count: width * height)
  for y in 0..<height {
    for x in 0..<width {
      let p = y * width + x
      var value = parameters.background + parameters.backgroundVariation * illumination[p]
      if labels.values[p] != 0 {
        value += parameters.interiorContrast + cellOffset[Int(scene.owner[p]) - 1]
        value += parameters.textureAmplitude * texture[p]
        value -= 0.5 * parameters.haloStrength * (1 - spread[p])
        if borders[p] { value += parameters.borderStrength }
      } else {
        value += parameters.haloStrength * spread[p]
      }
      let ahead = spread[min(y + 1, height - 1) * width + min(x + 1, width - 1)]
      let behind = spread[max(y - 1, 0) * width + max(x - 1, 0)]
      image[p] = value + parameters.relief * (ahead - behind)
    }
  }
  let finished = finishedImage(
    image, width: width, height: height, blurSigma: parameters.blurSigma,
    gaussianNoise: parameters.noise, random: &random)
  return (finished, labels)
}
