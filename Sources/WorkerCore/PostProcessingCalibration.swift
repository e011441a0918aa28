import Evaluation
import ImageOps
import JSONRPC
import NeuralCore
import Segmentation

/// The instance post-processing a trained model uses by default, chosen at the end of
/// training by scoring a small grid of candidates against labelled images (nnU-Net picks its
/// post-processing the same way, from data rather than by a fixed rule).
///
/// What is chosen: how far objects grow beyond the p > 0.5 mask (separation borders only, or
/// also rims above 0.4, 0.3, 0.2 or 0.1) and the smallest object kept (a multiple of the training
/// labels' small-object area). Images differ here: EM cells behind thin membranes gain from
/// rim growth, fluorescent nuclei are inflated by it (README.md, "Quality on real data").
/// The score is the mean of foreground IoU, SEG and F1 at IoU 0.5 over the images.
struct PostProcessingCalibration: Sendable {
  /// Where the scored images came from (reported by `train` and `model_info`).
  enum Source: String, Sendable {
    case validation
    case training
  }

  var growthThreshold: Float
  var minimumArea: Int
  var source: Source
  /// The winning candidate's score, and the score of the fixed defaults for comparison.
  var score: Double
  var defaultScore: Double

  /// Candidate growth thresholds: borders only (= threshold 0.5), or rims above 0.4 ... 0.1.
  static let growthThresholds: [Float] = [0.5, 0.4, 0.3, 0.2, 0.1]
  /// Candidate minimum areas as multiples of the small-object area of the training labels.
  static let areaMultiples: [Double] = [0, 0.5, 1, 2, 4]

  /// The options this calibration stands for (threshold 0.5, growth on).
  var options: InstanceOptions {
    InstanceOptions(growthThreshold: growthThreshold, minimumArea: minimumArea)
  }

  /// One labelled image with the network's prediction of it.
  struct Example {
    var prediction: ImagePrediction
    var truth: LabelImage
    var ignored: [Bool]
  }

  /// Scores every candidate on `examples` and keeps the best (ties: the earlier candidate,
  /// i.e. less growth and smaller minimum area); nil without examples.
  init?(examples: [Example], smallObjectArea: Int?, source: Source) {
    guard !examples.isEmpty else { return nil }
    let areas = Array(Set(Self.areaMultiples.map { Int(($0 * Double(smallObjectArea ?? 0)).rounded(.down)) })).sorted()
    // Growth is computed once per threshold; each minimum area then only drops objects (as
    // `instanceLabels` does after growth), so one growth per threshold serves all its candidates.
    func score(_ labelled: [LabelImage], minimumArea: Int) -> Double {
      var total = 0.0
      for (example, grown) in zip(examples, labelled) {
        var labels = minimumArea > 1 ? grown.removingObjects(smallerThan: minimumArea).labels : grown
        for p in labels.values.indices where example.ignored[p] { labels.values[p] = 0 }
        let m = evaluateSegmentation(prediction: labels, truth: example.truth)
        total += (m.foregroundIoU + m.seg + m.f1At50) / 3
      }
      return total / Double(examples.count)
    }
    let defaults = InstanceOptions(minimumArea: StoredModel.minimumObjectArea(smallObjectArea: smallObjectArea))
    var best: (options: InstanceOptions, score: Double)?
    var scoreOfDefaults = 0.0
    for growth in Self.growthThresholds {
      let labelled = examples.map {
        InstanceOptions(growthThreshold: growth).labels($0.prediction).labels
      }
      for area in areas {
        let options = InstanceOptions(growthThreshold: growth, minimumArea: area)
        let value = score(labelled, minimumArea: area)
        if options == defaults { scoreOfDefaults = value }
        if value > best?.score ?? -Double.infinity { best = (options, value) }
      }
    }
    guard let best else { return nil }
    growthThreshold = best.options.growthThreshold
    minimumArea = best.options.minimumArea
    self.source = source
    self.score = best.score
    defaultScore = scoreOfDefaults
  }

  // MARK: Model file

  init?(metadata: [(String, String)]) {
    let values = Dictionary(metadata, uniquingKeysWith: { _, last in last })
    guard let growth = values[Self.growthKey].flatMap(Float.init), growth >= 0, growth <= 1,
      let area = values[Self.areaKey].flatMap(Int.init), area >= 0,
      let source = values[Self.sourceKey].flatMap(Source.init(rawValue:))
    else { return nil }
    growthThreshold = growth
    minimumArea = area
    self.source = source
    score = values[Self.scoreKey].flatMap(Double.init) ?? 0
    defaultScore = values[Self.defaultScoreKey].flatMap(Double.init) ?? 0
  }

  var metadata: [(String, String)] {
    [
      (Self.growthKey, growthThreshold.description), (Self.areaKey, String(minimumArea)),
      (Self.sourceKey, source.rawValue), (Self.scoreKey, String(score)),
      (Self.defaultScoreKey, String(defaultScore)),
    ]
  }

  var json: JSONValue {
    .object([
      "growth_threshold": .double(Double(growthThreshold.description) ?? Double(growthThreshold)), "min_object_area": .int(Int64(minimumArea)),
      "calibrated_on": .string(source.rawValue), "score": .double(score), "default_score": .double(defaultScore),
    ])
  }

  static let growthKey = "segment.growth_threshold"
  static let areaKey = "segment.min_object_area"
  static let sourceKey = "segment.calibrated_on"
  static let scoreKey = "segment.calibration_score"
  static let defaultScoreKey = "segment.default_score"
}

extension PostProcessingCalibration {
  /// Pixels of training images segmented for the calibration when there is no validation set:
  /// thousands of objects, a few seconds of work. 2 megapixels were too few: on DSB 2018 the
  /// choice then varied with the sample and disagreed with the one held-out images give.
  static let trainingPixelBudget = 8_000_000

  /// Training images with `network`'s probabilities: a fixed pseudo-random choice of whole
  /// images up to `trainingPixelBudget` pixels (an image larger than that alone contributes
  /// its centred window of that size).
  static func trainingExamples(
    _ network: UNet, set: TrainingSet, weightMap: WeightMapParameters, parallel: Parallel, token: CancellationToken
  ) throws -> [Example] {
    let predictor = UNetTilePredictor(network: network, parallel: parallel)
    var order = Array(set.examples.indices)
    var random = RandomSource(seed: 0xCA11_B8A7E)
    for i in order.indices.reversed() where i > 0 { order.swapAt(i, random.nextInt(below: i + 1)) }
    var examples: [Example] = []
    var pixels = 0
    for index in order where pixels < trainingPixelBudget {
      var image = set.examples[index].image
      var labels = set.examples[index].labels
      if image.width * image.height > trainingPixelBudget {
        guard examples.isEmpty else { continue }
        let side = Int(Double(trainingPixelBudget).squareRoot())
        let (height, width) = (min(side, image.height), min(trainingPixelBudget / min(side, image.height), image.width))
        let (top, left) = ((image.height - height) / 2, (image.width - width) / 2)
        image = image.mirroredWindow(y0: top, x0: left, height: height, width: width)
        labels = LabelImage(
          width: width, height: height,
          values: (0..<(width * height)).map { labels[top + $0 / width, left + $0 % width] })
      }
      pixels += image.width * image.height
      examples.append(
        Example(
          prediction: try Validator.prediction(of: image, predictor: predictor, token: token),
          truth: labels.objects(kind: weightMap.labelKind, ignoreValue: weightMap.ignoreValue).labels,
          ignored: labels.ignoredPixels(ignoreValue: weightMap.ignoreValue)))
    }
    return examples
  }
}
