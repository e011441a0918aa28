import ImageOps
import NeuralCore

/// Growth into separation borders and rims (`growIntoSeparationBorders`) on a window of rows
/// cut out of an image larger than memory: the rows of one band plus a halo above and below.
///
/// Growth acts only in connected regions of contested pixels: background within `radius` steps
/// of two different objects (separation borders), and background above `growthThreshold`
/// (rims). Within one region the seeded watershed runs as on the whole image (its queue orders
/// by probability, then push order, which a window keeps), and whether a pixel is contested
/// depends only on the `radius` rows around it. So the band's rows grow exactly as on the whole
/// image when every region that reaches them stays `radius` + 1 rows inside the window's cut
/// edges; `grow` checks that and reports it. (Dense objects whose borders and rims join into
/// regions taller than the largest halo cannot be shown exact this way.)
public enum BandGrowth {
  /// Grows the window's objects (labels: any distinct positive ids, the same for one object
  /// everywhere, e.g. `ProvisionalObjects` roots) and tells whether the rows `inner` are exact.
  /// - Parameters:
  ///   - cutAbove, cutBelow: whether the window's top or bottom edge cuts the image (false at
  ///     the image's own border, where nothing lies beyond).
  /// - Returns: false when a growth region reaching `inner` comes within `radius` + 1 rows of
  ///   a cut edge: a larger halo is needed for an exact result.
  public static func grow(
    _ labels: inout LabelImage, mask: [UInt8], probability: Tensor, radius: Int, growthThreshold: Float,
    inner: Range<Int>, cutAbove: Bool, cutBelow: Bool
  ) -> Bool {
    let exact = isExact(
      labels, mask: mask, probability: probability, radius: radius, growthThreshold: growthThreshold, inner: inner,
      cutAbove: cutAbove, cutBelow: cutBelow)
    growIntoSeparationBorders(
      &labels, foreground: mask, probability: probability, radius: radius, growthThreshold: growthThreshold)
    return exact
  }

  /// Whether every contested region that touches `inner` stays `radius` + 1 rows away from
  /// the cut edges (see `grow`).
  static func isExact(
    _ labels: LabelImage, mask: [UInt8], probability: Tensor, radius: Int, growthThreshold: Float,
    inner: Range<Int>, cutAbove: Bool, cutBelow: Bool
  ) -> Bool {
    let width = labels.width
    let height = labels.height
    if !cutAbove && !cutBelow { return true }
    // The pixels growth acts in, marked as `growIntoSeparationBorders` marks them: background
    // within `radius` steps (through background) of two different objects, and background above
    // the growth threshold. Exact at least `radius` rows from a cut edge.
    let contestedMark = Int32.min
    var state = [Int32](repeating: 0, count: width * height)
    var frontier: [(pixel: Int, label: Int32)] = []
    var next: [(pixel: Int, label: Int32)] = []
    func arrive(_ q: Int, _ label: Int32) {
      let value = state[q]
      if mask[q] != 0 || value == contestedMark || value == -label { return }
      state[q] = value == 0 ? -label : contestedMark
      next.append((q, label))
    }
    func spread(from p: Int, _ label: Int32) {
      let y = p / width
      let x = p - y * width
      if x > 0 { arrive(p - 1, label) }
      if x + 1 < width { arrive(p + 1, label) }
      if y > 0 { arrive(p - width, label) }
      if y + 1 < height { arrive(p + width, label) }
    }
    if radius > 0 {
      for p in 0..<(width * height) where mask[p] != 0 { spread(from: p, labels.values[p]) }
    }
    for _ in 1..<max(1, radius) {
      swap(&frontier, &next)
      next.removeAll(keepingCapacity: true)
      for entry in frontier { spread(from: entry.pixel, entry.label) }
    }
    var candidate = [Bool](repeating: false, count: width * height)
    probability.storage.withUnsafeBufferPointer { relief in
      for p in 0..<(width * height) where mask[p] == 0 {
        candidate[p] = state[p] == contestedMark || relief[p] > growthThreshold
      }
    }
    let (regions, count) = labelComponents(width: width, height: height, isMember: { candidate[$0] })
    if count == 0 { return true }
    var top = [Int](repeating: Int.max, count: count + 1)
    var bottom = [Int](repeating: -1, count: count + 1)
    var reachesInner = [Bool](repeating: false, count: count + 1)
    for p in 0..<(width * height) {
      let region = Int(regions.values[p])
      if region == 0 { continue }
      let y = p / width
      top[region] = min(top[region], y)
      bottom[region] = max(bottom[region], y)
      if inner.contains(y) { reachesInner[region] = true }
    }
    let reach = radius + 1
    for region in 1...count where reachesInner[region] {
      if cutAbove && top[region] < reach { return false }
      if cutBelow && bottom[region] >= height - reach { return false }
    }
    return true
  }
}
