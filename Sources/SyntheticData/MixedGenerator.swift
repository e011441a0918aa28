import ImageOps
import NeuralCore

/// Settings of the three-class generator (`generateMixed`): bright round nuclei (class 1)
/// and dim elongated cells (class 2) in one fluorescence-like image, often touching.
public struct MixedParameters: Sendable, Equatable {
  /// Placement of both kinds: radii 7-13 px, 30 % cover, 70 % placed against another object.
  public var layout = OutlineLayout(
    radiusRange: 7...13, aspectRange: 0.8...1, irregularity: 0.05, coverage: 0.3,
    touchingFraction: 0.7, contactRange: 0.8...0.98, minimumSeparation: 0.75, minimumArea: 15)
  /// Minor / major axis of the nuclei (round) and of the cells (elongated).
  public var nucleusAspect: ClosedRange<Float> = 0.8...1
  public var cellAspect: ClosedRange<Float> = 0.3...0.5
  /// Peak brightness above the background of nuclei and of cells.
  public var nucleusBrightness: ClosedRange<Float> = 0.55...0.85
  public var cellBrightness: ClosedRange<Float> = 0.15...0.28
  /// Relative amplitude of the nuclei's chromatin texture (the cells are smooth).
  public var chromatinTexture: Float = 0.15
  public var background: Float = 0.06
  public var backgroundVariation: Float = 0.03
  public var blurSigma: Float = 1.1
  public var photonsAtFullScale: Float = 120
  public var readNoise: Float = 0.01

  public init() {}
}

/// A three-class image: its instances (objects 1...n, each 4-connected) and its class
/// image (0 background, 1 nucleus, 2 cell).
public struct MixedSample: Sendable, Equatable {
  public var image: Tensor
  public var instances: LabelImage
  public var classes: LabelImage

  /// The pair `generateSyntheticImage` returns.
  public var imageAndInstances: (image: Tensor, labels: LabelImage) { (image, instances) }
}

/// Bright round nuclei and dim elongated cells, placed like the nuclei generator's objects
/// and drawn the same way (blur, shot and read noise). A new object takes the class other
/// than that of the objects it is placed against (at random when it touches none or both),
/// so nuclei and cells touch often. Where two objects of one class touch, the one with the
/// larger label gives up its contact pixels, so in the class image the 4-connected
/// components of each class are exactly the instances (the protocol's rule for
/// `label_kind` `"classes"`).
public func generateMixed(
  width: Int, height: Int, parameters: MixedParameters = MixedParameters(), seed: UInt64
) -> MixedSample {
  precondition(width > 0 && height > 0, "generateMixed: empty image \(width)×\(height)")
  var random = RandomSource(seed: seed)
  let discs = layOutDiscs(width: width, height: height, layout: parameters.layout, random: &random)
  var discClasses: [Int32] = []
  for disc in discs {
    let touched = Set(zip(discs, discClasses).compactMap { other, otherClass -> Int32? in
      let (dx, dy) = (other.x - disc.x, other.y - disc.y)
      let reach = 1.05 * (other.radius + disc.radius)
      return dx * dx + dy * dy < reach * reach ? otherClass : nil
    })
    discClasses.append(touched.count == 1 ? 3 - (touched.first ?? 1) : 1 + Int32(random.nextInt(below: 2)))
  }
  let ellipses = zip(discs, discClasses).map { disc, objectClass in
    Ellipse(
      disc: disc, aspectRange: objectClass == 1 ? parameters.nucleusAspect : parameters.cellAspect,
      irregularity: parameters.layout.irregularity, random: &random)
  }
  let (owner, depth) = partitionByEllipses(ellipses, width: width, height: height)
  let ownerClass = owner.map { $0 == 0 ? Int32(0) : discClasses[Int($0) - 1] }
  let instances = separatedSameClassObjects(
    instanceLabels(owner: owner, width: width, height: height, minimumArea: parameters.layout.minimumArea),
    classes: ownerClass, minimumArea: parameters.layout.minimumArea)
  let classes = LabelImage(
    width: width, height: height, values: instances.values.indices.map { instances.values[$0] == 0 ? 0 : ownerClass[$0] })

  let brightness = discClasses.map {
    uniform($0 == 1 ? parameters.nucleusBrightness : parameters.cellBrightness, &random)
  }
  let chromatin = smoothTexture(width: width, height: height, sigma: 1, random: &random)
  let illumination = illuminationField(width: width, height: height, random: &random)
  var image = [Float](repeating: 0, count: width * height)
  for p in image.indices {
    image[p] = max(0, parameters.background + parameters.backgroundVariation * illumination[p])
    guard instances.values[p] != 0 else { continue }
    let object = Int(owner[p]) - 1
    let texture = discClasses[object] == 1 ? max(0, 1 + parameters.chromatinTexture * chromatin[p]) : 1
    image[p] += brightness[object] * (1 - 0.3 * depth[p] * depth[p]) * texture
  }
  let finished = finishedImage(
    image, width: width, height: height, blurSigma: parameters.blurSigma,
    photonsAtFullScale: parameters.photonsAtFullScale, gaussianNoise: parameters.readNoise, random: &random)
  return MixedSample(image: finished, instances: instances, classes: classes)
}

/// `instances` with the contact pixels between touching objects of one class removed (the
/// larger label gives them up), split again into 4-connected objects of at least
/// `minimumArea` pixels and numbered 1...n.
private func separatedSameClassObjects(_ instances: LabelImage, classes: [Int32], minimumArea: Int) -> LabelImage {
  let (width, height) = (instances.width, instances.height)
  var cut = instances
  for y in 0..<height {
    for x in 0..<width {
      let p = y * width + x
      let label = instances.values[p]
      guard label != 0 else { continue }
      func sameClassBelow(_ q: Int) -> Bool {
        let other = instances.values[q]
        return other != 0 && other < label && classes[q] == classes[p]
      }
      if (x > 0 && sameClassBelow(p - 1)) || (x + 1 < width && sameClassBelow(p + 1))
        || (y > 0 && sameClassBelow(p - width)) || (y + 1 < height && sameClassBelow(p + width))
      {
        cut.values[p] = 0
      }
    }
  }
  return cut.splitIntoConnectedComponents().labels.removingObjects(smallerThan: minimumArea).labels
}
