import NeuralCore

/// An object outline: an ellipse (centre, semi-axes, angle of the first axis in radians)
/// whose radius is modulated by a few low harmonics, r(θ) = 1 + Σ_k a_k cos(kθ + φ_k) for
/// k = 2, 3, ..., which makes it irregular but keeps it star-shaped around the centre (one
/// piece, no holes) as long as Σ|a_k| < 1.
struct Ellipse: Sendable {
  /// One term a_k cos(kθ + φ_k) of the outline's radial modulation.
  struct Harmonic: Sendable {
    var amplitude: Float
    var cosPhase: Float
    var sinPhase: Float
  }

  var x: Float
  var y: Float
  var semiAxisA: Float
  var semiAxisB: Float
  var angle: Float
  /// Harmonics k = 2, 3, ... in order; empty for a plain ellipse.
  var harmonics: [Harmonic] = []

  /// The largest relative radius 1 + Σ|a_k|: how far the outline can reach.
  var reach: Float { 1 + harmonics.reduce(0) { $0 + abs($1.amplitude) } }
}

extension Ellipse {
  /// An outline over a placed disc: equivalent radius √(ab) = the disc's radius, minor/major
  /// ratio from `aspectRange`, random angle, and harmonics 2...5 whose amplitudes add up to
  /// at most 2.6·`irregularity` (capped at 0.6 so the outline stays star-shaped).
  init(
    disc: Disc, aspectRange: ClosedRange<Float>, irregularity: Float, random: inout RandomSource
  ) {
    let aspect = uniform(aspectRange, &random).squareRoot()
    var harmonics: [Harmonic] = []
    if irregularity > 0 {
      harmonics = (2...5).map { k in
        let phase = 2 * Float.pi * random.nextUniform()
        return Harmonic(
          amplitude: irregularity * (0.5 + 0.5 * random.nextUniform()) * 2 / Float(k),
          cosPhase: Elementary.cos(phase), sinPhase: Elementary.sin(phase))
      }
      let total = harmonics.reduce(0) { $0 + $1.amplitude }
      if total > 0.6 {
        for k in harmonics.indices { harmonics[k].amplitude *= 0.6 / total }
      }
    }
    self.init(
      x: disc.x, y: disc.y, semiAxisA: disc.radius / aspect, semiAxisB: disc.radius * aspect,
      angle: Float.pi * random.nextUniform(), harmonics: harmonics)
  }

  /// The normalised radius of the offset (px, py) from the centre: below 1 inside, 1 on the
  /// outline. With (ũ, ṽ) the offset in axis units and θ its angle, q = |(ũ, ṽ)| / r(θ); the
  /// cos kθ, sin kθ come from cos θ, sin θ by complex multiplication (no arctangent).
  func normalisedRadius(px: Float, py: Float, cosine: Float, sine: Float) -> Float {
    let u = (cosine * px + sine * py) / semiAxisA
    let v = (-sine * px + cosine * py) / semiAxisB
    let rho = (u * u + v * v).squareRoot()
    guard !harmonics.isEmpty, rho > 0 else { return rho }
    let c1 = u / rho
    let s1 = v / rho
    var ck = c1 * c1 - s1 * s1  // cos 2θ
    var sk = 2 * s1 * c1  // sin 2θ
    var modulation: Float = 1
    for harmonic in harmonics {
      modulation += harmonic.amplitude * (ck * harmonic.cosPhase - sk * harmonic.sinPhase)
      (ck, sk) = (ck * c1 - sk * s1, sk * c1 + ck * s1)
    }
    return rho / modulation
  }
}

/// Which outline owns each pixel, with overlaps resolved by the normalised radius q (see
/// `Ellipse.normalisedRadius`): the pixel goes to the object it lies deepest in, so two
/// overlapping objects are cut along a line between their centres, weighted by their sizes.
/// Pixels inside no outline are 0, others 1 + index.
///
/// - Returns: `owner` per pixel and `depth`, the owner's q in [0, 1) (1 for background).
///   Cost: the outlines' bounding boxes, not the whole image per outline.
func partitionByEllipses(
  _ ellipses: [Ellipse], width: Int, height: Int
) -> (owner: [Int32], depth: [Float]) {
  var owner = [Int32](repeating: 0, count: width * height)
  var depth = [Float](repeating: 1, count: width * height)
  for (index, ellipse) in ellipses.enumerated() {
    let cosine = Elementary.cos(ellipse.angle)
    let sine = Elementary.sin(ellipse.angle)
    let extent = max(ellipse.semiAxisA, ellipse.semiAxisB) * ellipse.reach + 1
    let x0 = max(0, Int((ellipse.x - extent).rounded(.down)))
    let x1 = min(width - 1, Int((ellipse.x + extent).rounded(.up)))
    let y0 = max(0, Int((ellipse.y - extent).rounded(.down)))
    let y1 = min(height - 1, Int((ellipse.y + extent).rounded(.up)))
    guard x0 <= x1 && y0 <= y1 else { continue }
    for y in y0...y1 {
      for x in x0...x1 {
        let p = y * width + x
        let q = ellipse.normalisedRadius(
          px: Float(x) - ellipse.x, py: Float(y) - ellipse.y, cosine: cosine, sine: sine)
        if q < depth[p] {
          depth[p] = q
          owner[p] = Int32(index + 1)
        }
      }
    }
  }
  return (owner, depth)
}
