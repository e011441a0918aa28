import ImageOps
import NeuralCore

/// A round footprint used to place objects before their shape is drawn.
struct Disc: Sendable {
  var x: Float
  var y: Float
  var radius: Float
}

/// Where objects go and what their outlines look like: the layout shared by the nuclei
/// and cell generators (`NucleiParameters.layout`, `CellParameters.layout`).
public struct OutlineLayout: Sendable, Equatable {
  /// Equivalent radius √(ab) of an object, pixels.
  public var radiusRange: ClosedRange<Float>
  /// Minor / major axis of an object's basic ellipse.
  public var aspectRange: ClosedRange<Float>
  /// Relative radial wobble of the outlines (harmonics 2-5; 0 gives plain ellipses).
  public var irregularity: Float
  /// Fraction of the image the objects cover (before overlaps are resolved).
  public var coverage: Float
  /// Chance that a new object is placed against an existing one rather than anywhere.
  public var touchingFraction: Float
  /// Centre distance / (r₁ + r₂) of an object placed against another; below 1 they overlap.
  public var contactRange: ClosedRange<Float>
  /// No two centres closer than this times (r₁ + r₂), so overlaps stay partial.
  public var minimumSeparation: Float
  /// Objects smaller than this (slivers cut by overlaps or the border) become background.
  public var minimumArea: Int

  public init(
    radiusRange: ClosedRange<Float>, aspectRange: ClosedRange<Float>, irregularity: Float,
    coverage: Float, touchingFraction: Float, contactRange: ClosedRange<Float>,
    minimumSeparation: Float, minimumArea: Int
  ) {
    self.radiusRange = radiusRange
    self.aspectRange = aspectRange
    self.irregularity = irregularity
    self.coverage = coverage
    self.touchingFraction = touchingFraction
    self.contactRange = contactRange
    self.minimumSeparation = minimumSeparation
    self.minimumArea = minimumArea
  }
}

/// Places discs at random until they cover `layout.coverage` of a width × height image (or
/// attempts run out), many of them in contact: clusters of touching objects, as in dense
/// cultures. Centres may lie up to half a radius outside the image (objects cut by the
/// border).
func layOutDiscs(
  width: Int, height: Int, layout rule: OutlineLayout, random: inout RandomSource
) -> [Disc] {
  let targetArea = rule.coverage * Float(width * height)
  let meanRadius = (rule.radiusRange.lowerBound + rule.radiusRange.upperBound) / 2
  let expected = Int(targetArea / (Float.pi * meanRadius * meanRadius)) + 1
  var discs: [Disc] = []
  var covered: Float = 0
  var attempts = 0
  while covered < targetArea && attempts < 40 * expected + 100 {
    attempts += 1
    let radius = uniform(rule.radiusRange, &random)
    var x: Float
    var y: Float
    if !discs.isEmpty && random.nextUniform() < rule.touchingFraction {
      let neighbour = discs[random.nextInt(below: discs.count)]
      let angle = 2 * Float.pi * random.nextUniform()
      let distance = (radius + neighbour.radius) * uniform(rule.contactRange, &random)
      x = neighbour.x + distance * Elementary.cos(angle)
      y = neighbour.y + distance * Elementary.sin(angle)
    } else {
      x = uniform(-radius / 2...(Float(width) + radius / 2), &random)
      y = uniform(-radius / 2...(Float(height) + radius / 2), &random)
    }
    let margin = radius / 2
    guard x >= -margin && x <= Float(width) + margin && y >= -margin && y <= Float(height) + margin
    else { continue }
    let fits = discs.allSatisfy { other in
      let dx = other.x - x
      let dy = other.y - y
      let limit = rule.minimumSeparation * (radius + other.radius)
      return dx * dx + dy * dy >= limit * limit
    }
    guard fits else { continue }
    discs.append(Disc(x: x, y: y, radius: radius))
    covered += Float.pi * radius * radius
  }
  return discs
}

/// A uniform draw from a closed range.
func uniform(_ range: ClosedRange<Float>, _ random: inout RandomSource) -> Float {
  range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUniform()
}

/// Objects laid out by `layOutDiscs`, given outlines, and partitioned into instances: the
/// common first half of the nuclei and cell generators.
struct OutlineScene {
  var ellipses: [Ellipse]
  /// Per pixel: 1 + index of the owning outline, 0 outside all (see `partitionByEllipses`).
  var owner: [Int32]
  /// Per pixel: the owner's normalised radius in [0, 1), 1 outside.
  var depth: [Float]
  /// The final instances; renderers draw from these so image and labels agree.
  var labels: LabelImage

  init(width: Int, height: Int, layout: OutlineLayout, random: inout RandomSource) {
    let discs = layOutDiscs(width: width, height: height, layout: layout, random: &random)
    ellipses = discs.map { disc in
      Ellipse(
        disc: disc, aspectRange: layout.aspectRange, irregularity: layout.irregularity,
        random: &random)
    }
    (owner, depth) = partitionByEllipses(ellipses, width: width, height: height)
    labels = instanceLabels(
      owner: owner, width: width, height: height, minimumArea: layout.minimumArea)
  }
}
