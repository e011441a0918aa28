import ImageOps
import NeuralCore

/// What instances are cut from, for a whole image: the foreground probability and, for a
/// network of K > 2 classes, its class map (`mostProbableClasses`). `segment`, validation and
/// the post-processing calibration all cut instances from this, with `InstanceOptions.labels`.
public struct ImagePrediction: Sendable {
  /// 1×H×W, P(fg) = Σ_{k≥1} p_k.
  public var foreground: Tensor
  /// With K > 2: the most probable class per pixel, row-major; nil for two classes.
  public var classMap: [UInt8]?
  /// K.
  public var classes: Int

  /// A two-class prediction from its foreground probability.
  public init(foreground: Tensor) {
    self.foreground = foreground
    classMap = nil
    classes = 2
  }

  /// The prediction of K×H×W class probabilities (for K = 2 the same as `init(foreground:)`
  /// with their foreground sum).
  public init(classProbabilities: Tensor) {
    foreground = foregroundProbability(classProbabilities)
    classes = classProbabilities.channels
    classMap = classes > 2 ? mostProbableClasses(classProbabilities) : nil
  }
}

extension InstanceOptions {
  /// The instances `segment` writes for `prediction`: thresholded foreground for two classes,
  /// the objects of each class of the class map for more (`labels(classMap:foreground:classes:)`).
  public func labels(_ prediction: ImagePrediction) -> (labels: LabelImage, count: Int) {
    guard let classMap = prediction.classMap else { return labels(probability: prediction.foreground) }
    let instances = labels(classMap: classMap, foreground: prediction.foreground, classes: prediction.classes)
    return (instances.labels, instances.count)
  }
}
