/// A seeded, splittable pseudo-random generator (SplitMix64).
///
/// Every random draw in the product (initialisation, dropout, tile sampling, augmentation)
/// goes through a `RandomSource` that the caller passes in, so the same seed gives the same
/// result on every run and machine. SplitMix64 (Steele, Lea, Flood 2014) passes BigCrush and
/// its whole state is one `UInt64`, which the model file can save to resume training.
public struct RandomSource: RandomNumberGenerator, Sendable, Equatable {
  /// The complete generator state; restoring it restores the sequence.
  public var state: UInt64

  public init(seed: UInt64) {
    self.state = seed
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform float in [0, 1) with 24 random bits.
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// A uniform double in [0, 1) with 53 random bits.
  public mutating func nextUniformDouble() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// A uniform integer in `0..<bound`; `bound` must be positive.
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "RandomSource.nextInt: bound \(bound) must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// A standard normal sample (Box–Muller; uses two uniforms, returns one).
  public mutating func nextGaussian() -> Float {
    // 1 - u keeps the logarithm's argument in (0, 1].
    let u1 = 1.0 - nextUniformDouble()
    let u2 = nextUniformDouble()
    let radius = (-2.0 * Elementary.log(u1)).squareRoot()
    return Float(radius * Elementary.cos(2.0 * Double.pi * u2))
  }

  /// An independent generator derived from this one (advances this generator once).
  public mutating func split() -> RandomSource {
    RandomSource(seed: next())
  }
}
