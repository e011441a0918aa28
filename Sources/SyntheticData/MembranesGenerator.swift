import ImageOps
import NeuralCore

/// Settings of the EM-like membrane generator (`generateMembranes`). Intensities in 0...1.
public struct MembraneParameters: Sendable, Equatable {
  /// Mean distance between neighbouring cell centres, pixels (at least 8).
  public var cellSpacing: Float = 34
  /// Standard deviation of the displacement that bends the cell walls, pixels.
  public var irregularity: Float = 3.5
  /// Mean membrane thickness, pixels, and its relative slow variation along the walls.
  public var membraneWidth: Float = 2.5
  public var widthVariation: Float = 0.2
  /// Cytoplasm level, its spread between cells and its texture amplitude.
  public var cytoplasm: Float = 0.62
  public var cellVariation: Float = 0.06
  public var textureAmplitude: Float = 0.06
  /// Membrane level (dark, stained).
  public var membraneIntensity: Float = 0.2
  /// Dark organelles (mitochondria, vesicles) per 10 000 pixels, and their darkening.
  public var organelleDensity: Float = 4
  public var organelleContrast: Float = 0.3
  /// Slow multiplicative illumination variation.
  public var illuminationVariation: Float = 0.04
  /// Beam blur and Gaussian detector noise.
  public var blurSigma: Float = 0.8
  public var noise: Float = 0.05
  /// Cells smaller than this (slivers at wall junctions) become membrane.
  public var minimumArea: Int = 30

  public init() {}
}

/// An EM-like image of a cell tessellation with thin dark membranes (the paper's ISBI 2012
/// style), with instance labels: the cells are objects and the membranes between them are
/// background (label 0), as the challenge's segmentation task defines them.
///
/// Cells are a Voronoi tessellation with bent walls (`voronoiWithMembranes`); membranes are
/// 2-3 px wide. The cytoplasm is light and textured, with a few dark organelles that stay
/// inside their cell; the whole is blurred, lit unevenly and noisy, clamped to 0...1.
public func generateMembranes(
  width: Int, height: Int, parameters: MembraneParameters = MembraneParameters(), seed: UInt64
) -> (image: Tensor, labels: LabelImage) {
  precondition(width > 0 && height > 0, "generateMembranes: empty image \(width)×\(height)")
  var random = RandomSource(seed: seed)
  let spacing = parameters.cellSpacing
  let displacement = DisplacementField(
    width: width, height: height, wavelength: 3 * spacing, amplitude: parameters.irregularity,
    random: &random)
  let widthField = SmoothRandomField(wavelength: spacing, random: &random)
    .sampled(width: width, height: height)
  let halfWidth = widthField.map { f in
    min(spacing / 4, max(0.5, parameters.membraneWidth / 2 * (1 + parameters.widthVariation * f)))
  }
  var owner = voronoiWithMembranes(
    width: width, height: height, spacing: spacing, halfWidth: halfWidth,
    displacement: displacement, random: &random)
  // Where the displacement stretches the plane, two cells can meet without membrane
  // pixels between them: make their contact membrane, so a wall always separates cells.
  let contacts = sharedBorders(LabelImage(width: width, height: height, values: owner))
  for p in owner.indices where contacts[p] { owner[p] = 0 }
  let labels = instanceLabels(
    owner: owner, width: width, height: height, minimumArea: parameters.minimumArea)

  let objectCount = Int(labels.maximumLabel)
  let cellOffset = (0...objectCount).map { _ in parameters.cellVariation * (2 * random.nextUniform() - 1) }
  let texture = smoothTexture(width: width, height: height, sigma: 1.2, random: &random)
  var image = [Float](repeating: 0, count: width * height)
  for p in image.indices {
    let label = Int(labels.values[p])
    image[p] =
      label == 0
      ? parameters.membraneIntensity
      : parameters.cytoplasm + cellOffset[label] + parameters.textureAmplitude * texture[p]
  }
  darkenOrganelles(&image, labels: labels, parameters: parameters, random: &random)
  let illumination = illuminationField(width: width, height: height, random: &random)
  for p in image.indices { image[p] *= 1 + parameters.illuminationVariation * illumination[p] }
  let finished = finishedImage(
    image, width: width, height: height, blurSigma: parameters.blurSigma,
    gaussianNoise: parameters.noise, random: &random)
  return (finished, labels)
}

/// Small dark ellipses inside cells, each clipped to the cell its centre lies in, darkest at
/// the centre.
private func darkenOrganelles(
  _ image: inout [Float], labels: LabelImage, parameters: MembraneParameters,
  random: inout RandomSource
) {
  let width = labels.width
  let height = labels.height
  let count = Int(parameters.organelleDensity * Float(width * height) / 10_000)
  let organelles = (0..<count).map { _ in
    let length = 2 + 3 * random.nextUniform()
    return Ellipse(
      x: Float(width) * random.nextUniform(), y: Float(height) * random.nextUniform(),
      semiAxisA: length, semiAxisB: length * (0.4 + 0.4 * random.nextUniform()),
      angle: Float.pi * random.nextUniform())
  }
  let (owner, depth) = partitionByEllipses(organelles, width: width, height: height)
  let hostCell = organelles.map { labels[min(height - 1, Int($0.y)), min(width - 1, Int($0.x))] }
  for p in image.indices where owner[p] != 0 {
    let host = hostCell[Int(owner[p]) - 1]
    guard host != 0 && labels.values[p] == host else { continue }
    image[p] -= parameters.organelleContrast * (1 - depth[p] * depth[p])
  }
}
