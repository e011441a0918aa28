import NeuralCore

/// What the network is trained to predict for one label image, and how much each pixel
/// counts in the loss: the segmentation target of the paper's Fig. 3c and the weight map of
/// Eq. 2 (Fig. 3d).
public struct TrainingTarget: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// Row-major class per pixel: 1 foreground (an object pixel), 0 background, including the
  /// separation borders. Ignored pixels are 0 as well; their weight is 0, so the value is
  /// never used.
  public var classes: [Int32]
  /// Row-major loss weight per pixel, Eq. 2; 0 on ignored pixels.
  public var weights: [Float]
  /// The objects as the target sees them: instances 1...n with the seams between touching
  /// objects cut (see `separateTouchingObjects`).
  public var objects: LabelImage
  /// Row-major separation-border flags (background pixels between touching objects).
  public var borders: [Bool]
  /// w_c of background and foreground pixels (see `makeTrainingTarget`).
  public var backgroundClassWeight: Float
  public var foregroundClassWeight: Float
}

/// Builds the training target and the loss weight map of the paper (Eq. 2):
///
///     w(x) = w_c(x) + w0 · exp(-(d1(x) + d2(x))² / (2σ²))
///
/// - The protocol's label rules come first (`LabelImage.instances`): a mask is split into
///   4-connected components, pixels equal to `ignoreValue` are no object.
/// - Touching objects are separated by one-pixel seams (`separateTouchingObjects`); class 1 is
///   every remaining object pixel, class 0 everything else.
/// - d1, d2 are the Euclidean distances (exact, `nearestTwoObjectDistances`) from a pixel to
///   the nearest pixel of the nearest and the second-nearest object. As in Fig. 3d the
///   separation term is added on background pixels only; it needs at least two objects and
///   is dropped where it falls below 1e-6 · w0 (see `WeightMapParameters.cutoffDistance`).
/// - Class balance: with n_fg object and n_bg background pixels (not ignored), object pixels
///   weigh w_c = 1 and background pixels w_c = n_fg / n_bg, so both classes carry the same
///   total weight and the separation term keeps its height w0 relative to an object pixel
///   whatever the share of background (measured on the real sets against w_c normalised to a
///   mean of 1 and to the rarer class: README.md, "Quality on real data"). Without class
///   balance, or when either class is absent, w_c = 1.
/// - Ignored pixels get weight 0 (and class 0).
///
/// - Parameters:
///   - parallel: threads for the distance computation (results do not depend on it).
public func makeTrainingTarget(
  labels: LabelImage, parameters: WeightMapParameters = WeightMapParameters(),
  parallel: Parallel = Parallel(threads: 1)
) -> TrainingTarget {
  precondition(
    parameters.sigma > 0 && parameters.sigma.isFinite,
    "makeTrainingTarget: sigma \(parameters.sigma) must be positive")
  precondition(
    parameters.w0 >= 0 && parameters.w0.isFinite,
    "makeTrainingTarget: w0 \(parameters.w0) must be non-negative")
  let (instances, objectCount) = labels.instances(ignoreValue: parameters.ignoreValue)
  let separated = separateTouchingObjects(instances)
  let ignored = labels.ignoredPixels(ignoreValue: parameters.ignoreValue)
  let classes = separated.objects.values.map { $0 != 0 ? Int32(1) : 0 }

  var foregroundCount = 0
  var countedPixels = 0
  for p in classes.indices where !ignored[p] {
    countedPixels += 1
    foregroundCount += Int(classes[p])
  }
  let backgroundCount = countedPixels - foregroundCount
  let foregroundWeight: Float = 1
  let backgroundWeight = parameters.classBalance && foregroundCount > 0 && backgroundCount > 0
    ? Float(foregroundCount) / Float(backgroundCount) : 1
  var weights = [Float](repeating: 0, count: classes.count)
  for p in classes.indices where !ignored[p] {
    weights[p] = classes[p] == 1 ? foregroundWeight : backgroundWeight
  }

  if parameters.w0 > 0 && objectCount >= 2 {
    let candidates = (0..<classes.count).map { classes[$0] == 0 && !ignored[$0] }
    let radius = Int(parameters.cutoffDistance.rounded(.up))
    let (first, second) = nearestTwoObjectDistances(
      objects: separated.objects, objectCount: objectCount, candidates: candidates,
      radius: radius, parallel: parallel)
    let scale = -1 / (2 * parameters.sigma * parameters.sigma)
    for p in weights.indices where second[p] < .infinity {
      let sum = first[p].squareRoot() + second[p].squareRoot()
      weights[p] += parameters.w0 * Elementary.exp(sum * sum * scale)
    }
  }
  return TrainingTarget(
    width: labels.width, height: labels.height, classes: classes, weights: weights,
    objects: separated.objects, borders: separated.borders,
    backgroundClassWeight: backgroundWeight, foregroundClassWeight: foregroundWeight)
}

/// The paper's loss weight map (Eq. 2) of a label image: `makeTrainingTarget(...).weights`.
/// This is what the worker's `weight_map` method writes.
public func weightMap(
  labels: LabelImage, parameters: WeightMapParameters = WeightMapParameters(),
  parallel: Parallel = Parallel(threads: 1)
) -> [Float] {
  makeTrainingTarget(labels: labels, parameters: parameters, parallel: parallel).weights
}

