import ImageOps

/// Per-class overlap of a predicted class image with the true one, pooled over pages: the
/// `class_iou` and `mean_iou` of `evaluate` with `truth_kind` `"classes"`.
///
/// IoU_k = |P_k ∩ T_k| / |P_k ∪ T_k| over every pixel of every page added (P_k, T_k: the
/// pixels the prediction and the truth give class k); nil for a class that occurs in neither.
public struct ClassOverlap: Sendable, Equatable {
  public private(set) var intersections: [Int]
  public private(set) var unions: [Int]

  /// An empty tally for `classes` classes (class 0 is background).
  public init(classes: Int) {
    precondition(classes >= 1, "ClassOverlap: \(classes) classes")
    intersections = [Int](repeating: 0, count: classes)
    unions = [Int](repeating: 0, count: classes)
  }

  /// Adds one page; every value of both images must lie in 0..<classes.
  public mutating func add(prediction: LabelImage, truth: LabelImage) {
    precondition(
      prediction.width == truth.width && prediction.height == truth.height,
      "ClassOverlap: prediction \(prediction.width)×\(prediction.height), truth \(truth.width)×\(truth.height)")
    for p in truth.values.indices {
      let predicted = Int(prediction.values[p])
      let actual = Int(truth.values[p])
      unions[actual] += 1
      if predicted == actual {
        intersections[actual] += 1
      } else {
        unions[predicted] += 1
      }
    }
  }

  /// IoU of each class, class 0 first; nil where the class occurs in neither image.
  public var classIoU: [Double?] {
    zip(intersections, unions).map { $1 > 0 ? Double($0) / Double($1) : nil }
  }

  /// The mean IoU of the foreground classes (1...K−1) that occur in the prediction or the
  /// truth; nil when none does.
  public var meanForegroundIoU: Double? {
    let present = classIoU.dropFirst().compactMap { $0 }
    return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
  }
}
