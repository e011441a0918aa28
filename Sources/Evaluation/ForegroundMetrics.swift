/// Pixel-wise (semantic) scores: only whether a pixel is foreground (label ≠ 0) counts,
/// not which object it belongs to.
extension LabelOverlap {
  /// Foreground intersection over union, |P ∩ T| / |P ∪ T| with P, T the foreground pixel
  /// sets. Two empty foregrounds agree perfectly: 1.
  public var foregroundIoU: Double {
    let intersection = foregroundIntersection
    let union = truthForeground + predictionForeground - intersection
    return union == 0 ? 1 : Double(intersection) / Double(union)
  }

  /// The fraction of pixels whose foreground/background state differs, |P △ T| / pixels
  /// (the ISBI 2012 pixel error at one threshold). An image without pixels has error 0.
  public var pixelError: Double {
    let intersection = foregroundIntersection
    let disagreeing = truthForeground + predictionForeground - 2 * intersection
    return pixelCount == 0 ? 0 : Double(disagreeing) / Double(pixelCount)
  }
}
