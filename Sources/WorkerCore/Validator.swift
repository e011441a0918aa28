import Evaluation
import ImageOps
import NeuralCore
import Segmentation

/// One validation of the network during `train`: how well it segments held-out images.
struct ValidationScore: Sendable {
  /// The paper's weighted cross-entropy (Eq. 1 with the Eq. 2 weights) over the whole images,
  /// normalised like the training loss (per pixel), so the two are comparable.
  var loss: Double
  /// Foreground IoU of the instances `segment` would write (threshold 0.5, grown into the
  /// separation borders) against the labels; ignored pixels count for neither.
  var foregroundIoU: Double
  /// Instance F1 at IoU 0.5 of the instances `segment` would write.
  var f1At50: Double
}

/// Validation during training (Protocol/README.md, `train` `validation`): segments each
/// validation image exactly as `segment` does (overlap-tile, mirrored context, the model's
/// normalisation already applied by `TrainingSet`) and scores it against its labels.
///
/// Targets and weight maps are computed once; each validation costs one segmentation pass.
struct Validator {
  private struct Example {
    let image: Tensor
    let target: TrainingTarget
    let truth: LabelImage
    let ignored: [Bool]
  }

  private let examples: [Example]
  private let parallel: Parallel
  /// The instance rules `segment` applies by default for the model being trained.
  private let instanceOptions: InstanceOptions
  /// Channels of the validation images (all equal, checked by `TrainingSet`).
  let channels: Int

  init(set: TrainingSet, parameters: WeightMapParameters, instanceOptions: InstanceOptions, parallel: Parallel) {
    self.parallel = parallel
    self.instanceOptions = instanceOptions
    channels = set.channels
    examples = set.examples.map { example in
      Example(
        image: example.image,
        target: makeTrainingTarget(labels: example.labels, parameters: parameters, parallel: parallel),
        truth: example.labels.objects(kind: parameters.labelKind, ignoreValue: parameters.ignoreValue).labels,
        ignored: example.labels.ignoredPixels(ignoreValue: parameters.ignoreValue))
    }
  }

  /// Scores `network` on every validation image (means over images).
  /// - Throws: `RequestCancelled` when the token is cancelled between tiles.
  func score(_ network: UNet, token: CancellationToken) throws -> ValidationScore {
    let predictor = UNetTilePredictor(network: network, parallel: parallel)
    var total = ValidationScore(loss: 0, foregroundIoU: 0, f1At50: 0)
    for example in examples {
      let probabilities = try Self.classProbabilities(of: example.image, predictor: predictor, token: token)
      total.loss += weightedLoss(probabilities, target: example.target)
      var predicted = instanceOptions.labels(ImagePrediction(classProbabilities: probabilities)).labels
      for p in predicted.values.indices where example.ignored[p] { predicted.values[p] = 0 }
      let metrics = evaluateSegmentation(prediction: predicted, truth: example.truth)
      total.foregroundIoU += metrics.foregroundIoU
      total.f1At50 += metrics.f1At50
    }
    let n = Double(max(1, examples.count))
    return ValidationScore(loss: total.loss / n, foregroundIoU: total.foregroundIoU / n, f1At50: total.f1At50 / n)
  }

  /// The K×H×W class probabilities of a normalised image, stitched as `segment` does it.
  /// - Throws: `RequestCancelled` when the token is cancelled between tiles.
  private static func classProbabilities(
    of image: Tensor, predictor: UNetTilePredictor, token: CancellationToken
  ) throws -> Tensor {
    try token.check()
    do {
      return try segmenter(for: image, predictor: predictor).classProbabilities(
        image, isCancelled: { token.isCancelled })
    } catch {
      throw RequestCancelled()
    }
  }

  /// The segmenter `segment` uses by default for this image (the tile that suits its size).
  private static func segmenter(for image: Tensor, predictor: UNetTilePredictor) -> OverlapTileSegmenter<UNetTilePredictor> {
    let tileSize = defaultOutputTileSize(predictor: predictor, imageWidth: image.width, imageHeight: image.height)
    return OverlapTileSegmenter(predictor: predictor, outputTileSize: tileSize)
  }

  /// The prediction of a normalised image, segmented exactly as `segment` does it by default
  /// (overlap-tile, mirrored context, the tile that suits the image): two-class networks keep
  /// only the foreground probability, larger ones their class map too.
  /// - Throws: `RequestCancelled` when the token is cancelled between tiles.
  static func prediction(of image: Tensor, predictor: UNetTilePredictor, token: CancellationToken) throws -> ImagePrediction {
    guard predictor.classes == 2 else {
      return ImagePrediction(classProbabilities: try classProbabilities(of: image, predictor: predictor, token: token))
    }
    try token.check()
    do {
      return ImagePrediction(
        foreground: try segmenter(for: image, predictor: predictor).segment(
          image, progress: { _, _ in }, isCancelled: { token.isCancelled }))
    } catch {
      throw RequestCancelled()
    }
  }

  /// The validation images with `network`'s probabilities, for `PostProcessingCalibration`.
  func calibrationExamples(_ network: UNet, token: CancellationToken) throws -> [PostProcessingCalibration.Example] {
    let predictor = UNetTilePredictor(network: network, parallel: parallel)
    return try examples.map {
      PostProcessingCalibration.Example(
        prediction: try Self.prediction(of: $0.image, predictor: predictor, token: token), truth: $0.truth,
        ignored: $0.ignored)
    }
  }

  /// The training loss (Eq. 1 with the Eq. 2 weights, `SoftmaxCrossEntropy` normalised per
  /// pixel) of whole-image class probabilities: their logarithms serve as logits, since the
  /// softmax of log p is p again. Probabilities are clamped at 1e-7 (a certain mistake costs
  /// about 16, not infinity).
  private func weightedLoss(_ probabilities: Tensor, target: TrainingTarget) -> Double {
    let smallest: Float = 1e-7
    let logits = Tensor(
      shape: probabilities.shape, storage: probabilities.storage.map { Elementary.log(max($0, smallest)) })
    let loss = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: target.classes, weights: target.weights).loss
    return Double(loss)
  }
}
