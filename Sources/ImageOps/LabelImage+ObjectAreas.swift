extension LabelImage {
  /// Pixel count of every object, indexed by label: `areas[0]` is the background, `areas[l]`
  /// the size of object l (labels must be 0...maximumLabel, as `instances()` numbers them).
  public var objectAreas: [Int] {
    var areas = [Int](repeating: 0, count: Int(max(maximumLabel, 0)) + 1)
    for value in values where value > 0 { areas[Int(value)] += 1 }
    return areas
  }

  /// These labels with every object smaller than `minimumArea` pixels turned into background
  /// and the rest renumbered 1...n in their old order (labels must be 0...maximumLabel).
  /// - Returns: the labels and n.
  public func removingObjects(smallerThan minimumArea: Int) -> (labels: LabelImage, count: Int) {
    let areas = objectAreas
    var renumbered = [Int32](repeating: 0, count: areas.count)
    var next: Int32 = 0
    for label in areas.indices.dropFirst() where areas[label] >= max(minimumArea, 1) {
      next += 1
      renumbered[label] = next
    }
    var result = self
    for i in result.values.indices where result.values[i] > 0 {
      result.values[i] = renumbered[Int(result.values[i])]
    }
    return (result, Int(next))
  }
}
