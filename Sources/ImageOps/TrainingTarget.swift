import NeuralCore

/// What the network is trained to predict for one label image, and how much each pixel
/// counts in the loss: the segmentation target of the paper's Fig. 3c and the weight map of
/// Eq. 2 (Fig. 3d).
public struct TrainingTarget: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// Row-major class per pixel: the class of the object the pixel belongs to (1 for every
  /// object with instance labels), 0 background, including the separation borders. Ignored
  /// pixels are 0 as well; their weight is 0, so the value is never used.
  public var classes: [Int32]
  /// Row-major loss weight per pixel, Eq. 2; 0 on ignored pixels.
  public var weights: [Float]
  /// The objects as the target sees them: instances 1...n with the seams between touching
  /// objects cut (see `separateTouchingObjects`).
  public var objects: LabelImage
  /// Row-major separation-border flags (background pixels between touching objects).
  public var borders: [Bool]
  /// w_c of each class, background first (see `makeTrainingTarget`).
  public var classWeights: [Float]

  /// w_c of background pixels.
  public var backgroundClassWeight: Float { classWeights[0] }
  /// w_c of class-1 pixels (with instance labels: of every object pixel).
  public var foregroundClassWeight: Float { classWeights[1] }
}

/// Builds the training target and the loss weight map of the paper (Eq. 2):
///
///     w(x) = w_c(x) + w0 · exp(-(d1(x) + d2(x))² / (2σ²))
///
/// - The protocol's label rules come first (`LabelImage.objects`, with the parameters'
///   `labelKind`): a mask is split into 4-connected components, class labels into the
///   4-connected components of each class, pixels equal to `ignoreValue` are no object.
/// - Touching objects, of the same class or not, are separated by one-pixel seams
///   (`separateTouchingObjects`); every remaining object pixel has its object's class (1 for
///   instance labels), everything else class 0.
/// - d1, d2 are the Euclidean distances (exact, `nearestTwoObjectDistances`) from a pixel to
///   the nearest pixel of the nearest and the second-nearest object. As in Fig. 3d the
///   separation term is added on background pixels only; it needs at least two objects and
///   is dropped where it falls below 1e-6 · w0 (see `WeightMapParameters.cutoffDistance`).
/// - Class balance: with n_k pixels of class k (not ignored), n_fg = Σ_{k≥1} n_k object pixels
///   and m foreground classes present, a pixel of class k weighs w_c = n_fg / (m · n_k). Every
///   present class then carries the same total weight n_fg / m and object pixels weigh 1 on
///   average, so the separation term keeps its height w0 relative to an object pixel whatever
///   the share of background (measured on the real sets against w_c normalised to a mean of 1
///   and to the rarer class: README.md, "Quality on real data"). With two classes this is
///   w_c = 1 on object pixels and n_fg / n_bg on background. Without class balance, or when
///   fewer than two classes are present, w_c = 1.
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
  let objects = labels.objects(kind: parameters.labelKind, ignoreValue: parameters.ignoreValue)
  let objectCount = objects.count
  let separated = separateTouchingObjects(objects.labels)
  let ignored = labels.ignoredPixels(ignoreValue: parameters.ignoreValue)
  let classes = separated.objects.values.map { objects.objectClasses[Int($0)] }

  let classWeights = balancedClassWeights(
    classes: classes, ignored: ignored, classCount: parameters.labelKind.classCount,
    balance: parameters.classBalance)
  var weights = [Float](repeating: 0, count: classes.count)
  for p in classes.indices where !ignored[p] {
    weights[p] = classWeights[Int(classes[p])]
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
    classWeights: classWeights)
}

/// w_c of Eq. 2 for each of `classCount` classes: n_fg / (m · n_k) (see `makeTrainingTarget`),
/// 1 for every class without `balance` or when fewer than two classes are present.
private func balancedClassWeights(classes: [Int32], ignored: [Bool], classCount: Int, balance: Bool) -> [Float] {
  var counts = [Int](repeating: 0, count: classCount)
  for p in classes.indices where !ignored[p] { counts[Int(classes[p])] += 1 }
  let foregroundCount = counts.dropFirst().reduce(0, +)
  let presentForeground = counts.dropFirst().filter { $0 > 0 }.count
  let present = presentForeground + (counts[0] > 0 ? 1 : 0)
  guard balance && present >= 2 else { return [Float](repeating: 1, count: classCount) }
  return counts.map { $0 > 0 ? Float(foregroundCount) / Float(presentForeground * $0) : 1 }
}

/// The paper's loss weight map (Eq. 2) of a label image: `makeTrainingTarget(...).weights`.
/// This is what the worker's `weight_map` method writes.
public func weightMap(
  labels: LabelImage, parameters: WeightMapParameters = WeightMapParameters(),
  parallel: Parallel = Parallel(threads: 1)
) -> [Float] {
  makeTrainingTarget(labels: labels, parameters: parameters, parallel: parallel).weights
}

