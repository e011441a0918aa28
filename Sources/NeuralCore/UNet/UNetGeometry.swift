/// Tile sizes of an unpadded U-Net of a given depth.
///
/// Every 3×3 convolution removes one pixel on each side, every 2×2 pooling needs an even size
/// and halves it, every up-convolution doubles. With b the size at the bottom (after the two
/// bottom convolutions) and d the depth:
///
///     output = 2^d · (b − 4) + 4        input = 2^d · (b + 8) − 4
///
/// so the legal output sizes are those ≡ 4 (mod 2^d) from the smallest b for which every map
/// is non-empty, and the margin (input − output) / 2 = 6 · 2^d − 4 is 92 for the paper's
/// depth 4 (572 → 388). In the protocol every tile size is an output size.
public struct UNetGeometry: Equatable, Sendable {
  public let depth: Int

  public init(depth: Int) {
    precondition(
      (1...UNetConfiguration.maximumDepth).contains(depth),
      "UNetGeometry: depth \(depth) outside 1...\(UNetConfiguration.maximumDepth)")
    self.depth = depth
  }

  private var scale: Int { 1 << depth }

  /// Pixels lost on each side between input and output.
  public var margin: Int { 6 * scale - 4 }

  /// The smallest legal output size.
  public var minimumOutputSize: Int { outputSize(bottom: minimumBottom) }

  /// The smallest bottom size for which every feature map is non-empty.
  private var minimumBottom: Int {
    var b = 1
    while !allMapsNonEmpty(bottom: b) { b += 1 }
    return b
  }

  private func allMapsNonEmpty(bottom b: Int) -> Bool {
    var s = b
    for _ in 0..<depth {
      s = 2 * s - 4
      if s < 1 { return false }
    }
    return true
  }

  private func outputSize(bottom b: Int) -> Int { scale * (b - 4) + 4 }
  private func inputSize(bottom b: Int) -> Int { scale * (b + 8) - 4 }

  private func bottom(forOutputSize output: Int) -> Int? {
    let shifted = output - 4
    guard shifted % scale == 0 else { return nil }
    let b = shifted / scale + 4
    return b >= minimumBottom ? b : nil
  }

  public func isLegalOutputSize(_ output: Int) -> Bool { bottom(forOutputSize: output) != nil }

  /// The input size that yields `output`, or nil when `output` is not legal.
  public func inputSize(forOutputSize output: Int) -> Int? {
    bottom(forOutputSize: output).map(inputSize(bottom:))
  }

  /// The output size of an input of `input` pixels, or nil when some pooling would see an
  /// odd size or a map would be empty.
  public func outputSize(forInputSize input: Int) -> Int? {
    let shifted = input + 4
    guard shifted % scale == 0 else { return nil }
    let b = shifted / scale - 8
    return b >= minimumBottom ? outputSize(bottom: b) : nil
  }

  /// The legal output sizes in `range`, ascending.
  public func legalOutputSizes(in range: ClosedRange<Int>) -> [Int] {
    guard let first = smallestLegalOutputSize(atLeast: range.lowerBound) else { return [] }
    return Array(stride(from: first, through: range.upperBound, by: scale))
  }

  /// The largest legal output size ≤ `limit`, or nil when there is none.
  public func largestLegalOutputSize(atMost limit: Int) -> Int? {
    let minimum = minimumOutputSize
    guard limit >= minimum else { return nil }
    return minimum + (limit - minimum) / scale * scale
  }

  /// The smallest legal output size ≥ `limit`.
  public func smallestLegalOutputSize(atLeast limit: Int) -> Int? {
    let minimum = minimumOutputSize
    if limit <= minimum { return minimum }
    let steps = (limit - minimum + scale - 1) / scale
    let (size, overflow) = minimum.addingReportingOverflow(steps * scale)
    return overflow ? nil : size
  }

  /// Throws, naming the nearest legal sizes, when `output` is not a legal output size.
  /// Edge of the input of contracting level `level` (level 0: the tile of edge `inputSize`).
  func levelInputSize(_ level: Int, inputSize: Int) -> Int {
    var s = inputSize
    for _ in 0..<level { s = (s - 4) / 2 }
    return s
  }

  /// Edge of the output of expansive level `level` (level `depth`: the bottom's output).
  func decoderOutputSize(_ level: Int, inputSize: Int) -> Int {
    var s = levelInputSize(depth, inputSize: inputSize) - 4
    for _ in stride(from: depth - 1, through: level, by: -1) { s = 2 * s - 4 }
    return s
  }

  public func validate(outputSize output: Int) throws(UNetGeometryError) {
    if isLegalOutputSize(output) { return }
    throw UNetGeometryError(
      outputSize: output, depth: depth,
      nearestBelow: largestLegalOutputSize(atMost: output),
      nearestAbove: smallestLegalOutputSize(atLeast: output),
      geometry: self)
  }

  /// One feature map on the way through the network: its layer's name (as in
  /// `UNetParameterLayout`) and its edge in pixels.
  public struct Stage: Equatable, Sendable {
    public let name: String
    public let size: Int
  }

  /// The size of every feature map for an input of `input` pixels, in the order computed:
  /// for the paper's 572 that is 570, 568, 284, 282, 280, 140, …, 28, 56, 54, 52, …, 392, 390,
  /// 388 and the final 1×1 layer's 388. Nil when `input` is not legal.
  public func stages(forInputSize input: Int) -> [Stage]? {
    guard outputSize(forInputSize: input) != nil else { return nil }
    var stages: [Stage] = []
    var s = input
    for level in 0...depth {
      s -= 2
      stages.append(Stage(name: "down\(level).conv0", size: s))
      s -= 2
      stages.append(Stage(name: "down\(level).conv1", size: s))
      if level < depth {
        s /= 2
        stages.append(Stage(name: "down\(level).pool", size: s))
      }
    }
    for level in (0..<depth).reversed() {
      s *= 2
      stages.append(Stage(name: "up\(level).upconv", size: s))
      s -= 2
      stages.append(Stage(name: "up\(level).conv0", size: s))
      s -= 2
      stages.append(Stage(name: "up\(level).conv1", size: s))
    }
    stages.append(Stage(name: "final", size: s))
    return stages
  }
}

extension UNetGeometry {
  /// Just the edges of `stages(forInputSize:)`: 570, 568, 284, …, 388, 388 for 572 at depth 4.
  public func featureMapSizes(forInputSize input: Int) -> [Int]? {
    stages(forInputSize: input)?.map(\.size)
  }
}

/// An output tile size the network cannot produce.
public struct UNetGeometryError: Error, Equatable, Sendable, CustomStringConvertible {
  public let outputSize: Int
  public let depth: Int
  public let nearestBelow: Int?
  public let nearestAbove: Int?
  let geometry: UNetGeometry

  public var description: String {
    func named(_ size: Int?) -> String? {
      guard let size, let input = geometry.inputSize(forOutputSize: size) else { return nil }
      return "\(size) (input \(input))"
    }
    let options = [named(nearestBelow), named(nearestAbove)].compactMap { $0 }
    let nearest =
      options.isEmpty ? "" : "; nearest legal: " + options.joined(separator: " and ")
    return
      "output tile size \(outputSize) is not legal for a U-Net of depth \(depth) (legal sizes are \(geometry.minimumOutputSize) + k·\(1 << depth))\(nearest)"
  }
}
