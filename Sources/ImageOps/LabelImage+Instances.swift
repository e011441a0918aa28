extension LabelImage {
  /// The objects of this label image under the protocol's rules, numbered 1...n.
  ///
  /// A label image whose objects all carry one value is a mask: it is split into 4-connected
  /// components (the protocol's rule). Otherwise every distinct non-zero value is one object,
  /// even if its pixels are not connected. Objects are numbered in raster order of their
  /// first pixel; background and pixels equal to `ignoreValue` become 0.
  /// - Returns: the renumbered labels and the number of objects.
  public func instances(ignoreValue: Int32? = nil) -> (labels: LabelImage, count: Int) {
    if isMask(ignoreValue: ignoreValue) {
      return splitIntoConnectedComponents(ignoreValue: ignoreValue)
    }
    var numbering: [Int32: Int32] = [:]
    var result = LabelImage(width: width, height: height)
    // Consecutive pixels usually share a label; the cache skips most dictionary lookups.
    var lastValue: Int32 = 0
    var lastNumber: Int32 = 0
    for p in values.indices {
      let value = values[p]
      if value == 0 || value == ignoreValue { continue }
      if value != lastValue {
        lastValue = value
        if let known = numbering[value] {
          lastNumber = known
        } else {
          lastNumber = Int32(numbering.count + 1)
          numbering[value] = lastNumber
        }
      }
      result.values[p] = lastNumber
    }
    return (result, numbering.count)
  }

  /// True when at most one distinct object value occurs (a binary mask).
  private func isMask(ignoreValue: Int32?) -> Bool {
    var first: Int32?
    for value in values where value != 0 && value != ignoreValue {
      if let seen = first {
        if value != seen { return false }
      } else {
        first = value
      }
    }
    return true
  }

  /// Row-major flags for the pixels equal to `ignoreValue` (all false when it is nil).
  public func ignoredPixels(ignoreValue: Int32?) -> [Bool] {
    guard let ignoreValue else { return [Bool](repeating: false, count: values.count) }
    return values.map { $0 == ignoreValue }
  }
}
