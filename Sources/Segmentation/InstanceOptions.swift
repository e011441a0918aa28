import ImageOps
import NeuralCore

/// How `segment` (and validation during training) cuts masks and instance labels from a
/// foreground probability map: one set of rules and defaults for both (Protocol/README.md,
/// `segment`). The defaults were chosen on real data (README.md, "Quality on real data").
public struct InstanceOptions: Sendable, Equatable {
  /// Foreground is p > threshold.
  public var threshold: Float
  /// Grow objects back into the separation borders between them (and rims above
  /// `growthThreshold`); see `instanceLabels(mask:probability:...)`.
  public var growInstances: Bool
  /// Background above this probability is grown into too (≤ `threshold`; equal: borders only).
  public var growthThreshold: Float
  /// Objects smaller than this many pixels are removed as fragments.
  public var minimumArea: Int

  public static let defaultThreshold: Float = 0.5
  public static let defaultGrowInstances = true
  /// Equal to the threshold: objects get their separation borders back, nothing more.
  public static let defaultGrowthThreshold: Float = 0.5

  public init(
    threshold: Float = defaultThreshold, growInstances: Bool = defaultGrowInstances,
    growthThreshold: Float = defaultGrowthThreshold, minimumArea: Int = 0
  ) {
    precondition(threshold >= 0 && threshold <= 1, "InstanceOptions: threshold \(threshold) outside [0, 1]")
    precondition(minimumArea >= 0, "InstanceOptions: negative minimumArea \(minimumArea)")
    self.threshold = threshold
    self.growInstances = growInstances
    self.growthThreshold = min(growthThreshold, threshold)
    self.minimumArea = minimumArea
  }

  /// The 0/255 mask of p > `threshold`.
  public func mask(_ probability: Tensor) -> [UInt8] {
    foregroundMask(probability, threshold: threshold)
  }

  /// The instance labels of `probability`, whose `mask` was computed already.
  public func labels(mask: [UInt8], probability: Tensor) -> (labels: LabelImage, count: Int) {
    instanceLabels(
      mask: mask, probability: probability, growInstances: growInstances, growthThreshold: growthThreshold,
      minimumArea: minimumArea)
  }

  /// The instance labels of `probability`.
  public func labels(probability: Tensor) -> (labels: LabelImage, count: Int) {
    labels(mask: mask(probability), probability: probability)
  }

  /// The instances of a network of K > 2 classes, from its `mostProbableClasses` map and
  /// its foreground probability (`foregroundProbability`, the relief objects grow on): the
  /// objects of every foreground class, each object of one class. `threshold` does not apply
  /// (the map says what is foreground); growth and fragment removal do, as for two classes.
  public func labels(classMap: [UInt8], foreground: Tensor, classes: Int) -> ClassInstances {
    let mask = classMap.map { $0 != 0 ? UInt8(255) : 0 }
    let (labels, count) = instanceLabels(
      mask: mask, probability: foreground, growInstances: growInstances, growthThreshold: growthThreshold,
      minimumArea: minimumArea, classMap: classMap)
    return ClassInstances(labels: labels, count: count, classMap: classMap, classes: classes)
  }
}
