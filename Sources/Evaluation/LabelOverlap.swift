import ImageOps

/// The sparse contingency table of two label images: how many pixels carry each
/// (truth label, prediction label) pair.
///
/// Every metric in this module is a function of this table, so each is O(pixels) to build
/// and O(occupied pairs) to evaluate, however many objects the images hold. Only pairs that
/// occur are stored (a dense table would be objects² in size). Background is label 0 and is
/// kept in the table like any other label; the metrics decide how to treat it.
public struct LabelOverlap: Sendable, Equatable {
  /// One cell of the table: a truth label and a prediction label.
  public struct Pair: Hashable, Sendable {
    public let truth: Int32
    public let prediction: Int32

    public init(truth: Int32, prediction: Int32) {
      self.truth = truth
      self.prediction = prediction
    }
  }

  /// Pixels in either image (both have the same size).
  public let pixelCount: Int
  /// Pixels per (truth, prediction) pair; pairs that never occur are absent.
  public let counts: [Pair: Int]
  /// Pixels per truth label, background (0) included when present.
  public let truthSizes: [Int32: Int]
  /// Pixels per prediction label, background (0) included when present.
  public let predictionSizes: [Int32: Int]

  /// Counts the label pairs of two images of the same size.
  ///
  /// Consecutive pixels with the same pair (the common case inside objects and background)
  /// are counted as one run, so the dictionary is touched once per run, not per pixel.
  public init(prediction: LabelImage, truth: LabelImage) {
    precondition(
      prediction.width == truth.width && prediction.height == truth.height,
      "LabelOverlap: prediction \(prediction.width)×\(prediction.height)"
        + " ≠ truth \(truth.width)×\(truth.height)")
    var counts: [Pair: Int] = [:]
    truth.values.withUnsafeBufferPointer { t in
      prediction.values.withUnsafeBufferPointer { p in
        guard !t.isEmpty else { return }
        var runTruth = t[0]
        var runPrediction = p[0]
        var runLength = 0
        for i in 0..<t.count {
          if t[i] == runTruth && p[i] == runPrediction {
            runLength += 1
          } else {
            counts[Pair(truth: runTruth, prediction: runPrediction), default: 0] += runLength
            runTruth = t[i]
            runPrediction = p[i]
            runLength = 1
          }
        }
        counts[Pair(truth: runTruth, prediction: runPrediction), default: 0] += runLength
      }
    }
    var truthSizes: [Int32: Int] = [:]
    var predictionSizes: [Int32: Int] = [:]
    for (pair, count) in counts {
      truthSizes[pair.truth, default: 0] += count
      predictionSizes[pair.prediction, default: 0] += count
    }
    self.pixelCount = truth.values.count
    self.counts = counts
    self.truthSizes = truthSizes
    self.predictionSizes = predictionSizes
  }

  /// Objects (non-zero labels) in the truth.
  public var truthObjectCount: Int { truthSizes.keys.count { $0 != 0 } }

  /// Objects (non-zero labels) in the prediction.
  public var predictionObjectCount: Int { predictionSizes.keys.count { $0 != 0 } }

  /// Pixels that are foreground (non-zero) in the truth.
  public var truthForeground: Int { pixelCount - (truthSizes[0] ?? 0) }

  /// Pixels that are foreground (non-zero) in the prediction.
  public var predictionForeground: Int { pixelCount - (predictionSizes[0] ?? 0) }

  /// Pixels that are foreground in both images, whatever their object labels.
  public var foregroundIntersection: Int {
    var total = 0
    for (pair, count) in counts where pair.truth != 0 && pair.prediction != 0 { total += count }
    return total
  }

  /// Intersection over union of truth object `truth` and predicted object `prediction`
  /// given their overlap `count`.
  func jaccard(_ pair: Pair, overlap count: Int) -> Double {
    let union = (truthSizes[pair.truth] ?? 0) + (predictionSizes[pair.prediction] ?? 0) - count
    return Double(count) / Double(union)
  }
}
