/// The shape of a U-Net (Ronneberger, Fischer, Brox 2015, Fig. 1).
///
/// The paper's network: one input channel, two classes, 64 channels at the first level,
/// doubling at each of 4 poolings (23 convolutional layers in all). `dropout` is the
/// probability of the drop-out layers at the end of the contracting path (the outputs of the
/// last two levels, as in the authors' Caffe model), used only in training; 0 turns them off.
public struct UNetConfiguration: Equatable, Sendable, CustomStringConvertible {
  public var inputChannels: Int
  public var classes: Int
  public var baseChannels: Int
  public var depth: Int
  public var dropout: Float

  public init(
    inputChannels: Int, classes: Int = 2, baseChannels: Int = 64, depth: Int = 4,
    dropout: Float = 0
  ) {
    self.inputChannels = inputChannels
    self.classes = classes
    self.baseChannels = baseChannels
    self.depth = depth
    self.dropout = dropout
  }

  /// The limits `validate()` enforces (generous; they keep sizes and products in range).
  public static let maximumDepth = 8
  public static let maximumChannels = 8192

  /// Checks every field; configurations read from files or requests go through this before
  /// a network is built from them.
  public func validate() throws(UNetConfigurationError) {
    func fail(_ message: String) -> UNetConfigurationError { UNetConfigurationError(message: message) }
    let limit = UNetConfiguration.maximumChannels
    guard (1...limit).contains(inputChannels) else {
      throw fail("input channels \(inputChannels) must be in 1...\(limit)")
    }
    guard (2...limit).contains(classes) else {
      throw fail("classes \(classes) must be in 2...\(limit)")
    }
    guard (1...UNetConfiguration.maximumDepth).contains(depth) else {
      throw fail("depth \(depth) must be in 1...\(UNetConfiguration.maximumDepth)")
    }
    guard baseChannels >= 1 && baseChannels << depth <= limit else {
      throw fail(
        "base channels \(baseChannels) must be at least 1 and base × 2^depth (\(baseChannels << depth)) at most \(limit)")
    }
    guard dropout >= 0 && dropout < 1 else {
      throw fail("dropout \(dropout) must be in [0, 1)")
    }
  }

  /// Feature channels at `level` (0 = first level, `depth` = the bottom): base × 2^level.
  public func channels(atLevel level: Int) -> Int { baseChannels << level }

  public var geometry: UNetGeometry { UNetGeometry(depth: depth) }

  public var description: String {
    "U-Net(in \(inputChannels), classes \(classes), base \(baseChannels), depth \(depth), dropout \(dropout))"
  }
}

/// A configuration outside the supported ranges.
public struct UNetConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { "invalid U-Net configuration: \(message)" }
}
