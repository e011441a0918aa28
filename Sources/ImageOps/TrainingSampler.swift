import NeuralCore

/// One training example cut from an image: the network's input tile and, for its output tile
/// (the centre of the input tile, `margin` pixels in from every side), the target classes and
/// loss weights.
public struct TrainingSample: Sendable, Equatable {
  /// C×inputSize×inputSize, channels as in the source image.
  public var input: Tensor
  /// Row-major outputSize² classes (0 background, 1...K−1 the objects' classes).
  public var classes: [Int32]
  /// Row-major outputSize² loss weights (0 where the output tile leaves the image).
  public var weights: [Float]
  public var outputSize: Int
}

/// Draws augmented training tiles from one normalised image and its labels.
///
/// The target and weight map are computed once, at construction; each sample then costs
/// O(tile), whatever the image size. A sample is:
/// - a crop position: with probability `foregroundFraction` the output tile is centred on a
///   random foreground pixel (so sparse images still train), otherwise it lies uniformly at
///   random in the image. Either way it is kept inside the image when the image is at least
///   one output tile large, and centred on an image that is smaller;
/// - the paper's mirrored context wherever the input tile passes the image border;
/// - the augmentations switched on in `augmentation`: flips and quarter turns, a rotation by
///   any angle, an elastic deformation (`ElasticDisplacementField`), gain/offset/gamma.
///   The image is interpolated bilinearly; classes and weights take the nearest source pixel,
///   so no new class appears and each weight stays with its pixel. Output pixels whose nearest
///   source lies outside the image (mirrored labels) get weight 0.
/// Everything random comes from the caller's `RandomSource`: same seed, same sample.
public struct TrainingSampler: Sendable {
  /// The normalised image, C×H×W.
  public let image: Tensor
  public let target: TrainingTarget
  public var augmentation: AugmentationOptions
  /// Share of crops centred on a foreground pixel, in [0, 1].
  public var foregroundFraction: Float
  /// Row-major indices of the foreground (object) pixels of `target`, of any class.
  private let foregroundPixels: [Int32]

  /// - Parameters:
  ///   - image: the normalised image (see `IntensityNormalization`), C×H×W.
  ///   - labels: its label image, H×W.
  public init(
    image: Tensor, labels: LabelImage, parameters: WeightMapParameters = WeightMapParameters(),
    augmentation: AugmentationOptions = AugmentationOptions(), foregroundFraction: Float = 0.5,
    parallel: Parallel = Parallel(threads: 1)
  ) {
    self.init(
      image: image,
      target: makeTrainingTarget(labels: labels, parameters: parameters, parallel: parallel),
      augmentation: augmentation, foregroundFraction: foregroundFraction)
  }

  /// A sampler over a target computed earlier (e.g. shared between samplers).
  public init(
    image: Tensor, target: TrainingTarget,
    augmentation: AugmentationOptions = AugmentationOptions(), foregroundFraction: Float = 0.5
  ) {
    precondition(
      image.height == target.height && image.width == target.width,
      "TrainingSampler: image \(image.shape) and labels \(target.height)×\(target.width) differ in size")
    precondition(image.channels >= 1 && image.shape.planeSize > 0, "TrainingSampler: empty image \(image.shape)")
    precondition(
      foregroundFraction >= 0 && foregroundFraction <= 1,
      "TrainingSampler: foregroundFraction \(foregroundFraction) outside [0, 1]")
    self.image = image
    self.target = target
    self.augmentation = augmentation
    self.foregroundFraction = foregroundFraction
    self.foregroundPixels = target.classes.indices.compactMap { target.classes[$0] != 0 ? Int32($0) : nil }
  }

  /// A random augmented sample; `inputSize − outputSize` must be even and non-negative (the
  /// U-Net's border loss on both sides).
  public func sample(inputSize: Int, outputSize: Int, random: inout RandomSource) -> TrainingSample {
    let transform = randomTransform(inputSize: inputSize, outputSize: outputSize, random: &random)
    let jitter =
      augmentation.intensity
      ? IntensityJitter(channels: image.channels, options: augmentation, random: &random) : nil
    return sample(transform: transform, outputSize: outputSize, jitter: jitter)
  }

  /// The sample for a given tile transform and optional intensity change (no randomness).
  public func sample(transform: TileTransform, outputSize: Int, jitter: IntensityJitter?) -> TrainingSample {
    let margin = Self.margin(inputSize: transform.inputSize, outputSize: outputSize)
    let coordinates = transform.sourceCoordinates()
    var input = sampleBilinear(image, at: coordinates)
    jitter?.apply(to: &input)
    let (indices, inside) = nearestPixels(
      at: coordinates, offset: margin, size: outputSize, width: image.width, height: image.height)
    let classes = indices.map { target.classes[$0] }
    let weights = indices.indices.map { inside[$0] ? target.weights[indices[$0]] : 0 }
    return TrainingSample(input: input, classes: classes, weights: weights, outputSize: outputSize)
  }

  /// Draws a crop position and the spatial augmentations (in this order: position, flips and
  /// quarter turns, rotation angle, elastic grid).
  public func randomTransform(inputSize: Int, outputSize: Int, random: inout RandomSource) -> TileTransform {
    let margin = Self.margin(inputSize: inputSize, outputSize: outputSize)
    var centre: (y: Int, x: Int)?
    if random.nextUniform() < foregroundFraction && !foregroundPixels.isEmpty {
      let pixel = Int(foregroundPixels[random.nextInt(below: foregroundPixels.count)])
      centre = (pixel / image.width, pixel % image.width)
    }
    let top = Self.outputOrigin(extent: image.height, tile: outputSize, centre: centre?.y, random: &random)
    let left = Self.outputOrigin(extent: image.width, tile: outputSize, centre: centre?.x, random: &random)
    var transform = TileTransform.crop(inputSize: inputSize, top: top - margin, left: left - margin)
    if augmentation.flips {
      let quarterTurns = random.nextInt(below: 4)
      let mirrored = random.nextInt(below: 2) == 1
      transform.matrix = TileTransform.symmetryMatrix(quarterTurns: quarterTurns, mirrored: mirrored)
    }
    if augmentation.rotate {
      let angle = 2 * Float.pi * random.nextUniform()
      transform.matrix = TileTransform.multiply(TileTransform.rotationMatrix(angle: angle), transform.matrix)
    }
    if augmentation.elastic {
      transform.elastic = ElasticDisplacementField(
        tileSize: inputSize, gridSize: augmentation.elasticGridSize, sigma: augmentation.elasticSigma,
        random: &random)
    }
    return transform
  }

  /// First row (or column) of the output tile along one axis of length `extent`.
  private static func outputOrigin(extent: Int, tile: Int, centre: Int?, random: inout RandomSource) -> Int {
    guard extent >= tile else { return (extent - tile) / 2 }
    if let centre { return min(max(centre - (tile - 1) / 2, 0), extent - tile) }
    return random.nextInt(below: extent - tile + 1)
  }

  private static func margin(inputSize: Int, outputSize: Int) -> Int {
    precondition(
      outputSize >= 1 && inputSize >= outputSize && (inputSize - outputSize) % 2 == 0,
      "TrainingSampler: input tile \(inputSize) must exceed output tile \(outputSize) by an even margin")
    return (inputSize - outputSize) / 2
  }
}
