import NeuralCore

/// Which training image the next sample comes from.
///
/// `.area` (the default) draws an image with probability proportional to its pixel count, so
/// every pixel of the training set is equally likely to be seen, whatever the mix of image
/// sizes (a 1388x1040 image counts 22 times a 256x256 one, as it holds 22 times the objects).
/// `.image` draws every image equally often.
public struct TrainingImageChoice: Sendable {
  public enum Rule: String, Sendable, CaseIterable {
    case area
    case image
  }

  public let rule: Rule
  /// Running sums of the images' weights; the last one is the total.
  private let cumulative: [Int]

  /// - Parameter pixelCounts: the size of each image (at least one, each positive).
  public init(rule: Rule, pixelCounts: [Int]) {
    precondition(!pixelCounts.isEmpty, "TrainingImageChoice: no images")
    precondition(pixelCounts.allSatisfy { $0 > 0 }, "TrainingImageChoice: an image without pixels")
    self.rule = rule
    var sum = 0
    cumulative = pixelCounts.map { count in
      sum += rule == .area ? count : 1
      return sum
    }
  }

  /// The index of the next image.
  public func next(random: inout RandomSource) -> Int {
    guard let total = cumulative.last, cumulative.count > 1 else { return 0 }
    let draw = random.nextInt(below: total)
    // The first image whose running sum exceeds the draw.
    var low = 0
    var high = cumulative.count - 1
    while low < high {
      let middle = (low + high) / 2
      if cumulative[middle] > draw { high = middle } else { low = middle + 1 }
    }
    return low
  }
}
