import ImageOps

extension LabelImage {
  /// The image read as instances, by the protocol's rule for label files: a mask (exactly
  /// one distinct non-zero value, e.g. 0/255) becomes one object per 4-connected component,
  /// numbered 1...n in raster order; an image with several non-zero values already names
  /// its objects and is returned unchanged, as is an all-background image.
  ///
  /// `evaluateSegmentation` applies this to both of its inputs, so a thresholded
  /// probability map can be scored against instance ground truth directly.
  public var instancesFromMask: LabelImage {
    guard let first = values.first(where: { $0 != 0 }) else { return self }
    if values.contains(where: { $0 != 0 && $0 != first }) { return self }
    return splitIntoConnectedComponents().labels
  }
}
