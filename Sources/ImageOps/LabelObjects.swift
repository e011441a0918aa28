/// The objects of a label image and the class of each: the one rule by which training,
/// weight maps and evaluation turn a label file into objects (`LabelImage.objects`).
public struct LabelObjects: Sendable, Equatable {
  /// Objects 1...count; background and ignored pixels are 0.
  public var labels: LabelImage
  public var count: Int
  /// `objectClasses[l]` is the class of object l; `objectClasses[0]` = 0 (background).
  public var objectClasses: [Int32]

  /// The class of every pixel: its object's class, 0 for background and ignored pixels.
  public var classMap: [Int32] { labels.values.map { objectClasses[Int($0)] } }
}

extension LabelImage {
  /// The objects of this label image under the protocol's rules for `kind`:
  /// - `.instances`: `instances(ignoreValue:)`, every object of class 1;
  /// - `.classes(K)`: the 4-connected components of each class value (two touching regions of
  ///   different classes are two objects), numbered in raster order of their first pixel,
  ///   each of its value's class. Every value other than `ignoreValue` must lie in 0..<K (see
  ///   `firstValue(outside:ignoreValue:)`).
  /// Pixels equal to `ignoreValue` belong to no object.
  public func objects(kind: LabelKind = .instances, ignoreValue: Int32? = nil) -> LabelObjects {
    switch kind {
    case .instances:
      let (labels, count) = instances(ignoreValue: ignoreValue)
      return LabelObjects(labels: labels, count: count, objectClasses: [0] + [Int32](repeating: 1, count: count))
    case .classes(let classes):
      precondition(
        firstValue(outside: 0..<Int32(classes), ignoreValue: ignoreValue) == nil,
        "LabelImage.objects: a value lies outside the \(classes) classes")
      let (labels, count) = splitIntoConnectedComponents(ignoreValue: ignoreValue)
      var objectClasses = [Int32](repeating: 0, count: count + 1)
      for p in values.indices where labels.values[p] != 0 { objectClasses[Int(labels.values[p])] = values[p] }
      return LabelObjects(labels: labels, count: count, objectClasses: objectClasses)
    }
  }

  /// The first pixel (row-major index) whose value lies outside `range` and is not
  /// `ignoreValue`, with that value; nil when there is none.
  public func firstValue(outside range: Range<Int32>, ignoreValue: Int32?) -> (index: Int, value: Int32)? {
    for p in values.indices where !range.contains(values[p]) && values[p] != ignoreValue {
      return (p, values[p])
    }
    return nil
  }
}
