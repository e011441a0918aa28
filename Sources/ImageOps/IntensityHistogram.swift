/// The counts of every value of one channel of integer samples (8 or 16 bits), gathered band by
/// band: whole-image percentiles for `IntensityNormalization` without holding the image, for
/// images larger than memory. Exact: the percentiles equal those of the sorted values.
public struct IntensityHistogram: Sendable, Equatable {
  /// counts[v − offset]: how many samples have value v.
  public private(set) var counts: [Int]
  /// The smallest value counted (negative for signed samples).
  public let offset: Int
  /// Samples counted.
  public private(set) var total = 0

  /// An empty histogram for values in `range` (at most 2^16 of them).
  public init(range: ClosedRange<Int>) {
    precondition(range.count <= 1 << 16, "IntensityHistogram: \(range.count) values; 8- and 16-bit samples only")
    counts = [Int](repeating: 0, count: range.count)
    offset = range.lowerBound
  }

  /// Counts `values` (each inside the histogram's range).
  public mutating func add<Value: BinaryInteger>(_ values: some Collection<Value>) {
    let offset = offset
    counts.withUnsafeMutableBufferPointer { bins in
      for value in values { bins[Int(value) - offset] += 1 }
    }
    total += values.count
  }

  /// The value at `rank` (0-based) of the sorted samples, as a float.
  func value(atRank rank: Int) -> Float {
    precondition(rank >= 0 && rank < total, "IntensityHistogram: rank \(rank) of \(total)")
    var seen = 0
    for (bin, count) in counts.enumerated() {
      seen += count
      if seen > rank { return Float(bin + offset) }
    }
    return Float(counts.count - 1 + offset)
  }

  /// The `p`-th percentile, interpolated between ranks exactly as `percentile(_:of:)` does.
  func percentile(_ p: Float) -> Float {
    let position = Double(p) / 100 * Double(total - 1)
    let rank = min(Int(position), total - 1)
    let fraction = Float(position - Double(rank))
    let lower = value(atRank: rank)
    guard fraction > 0 && rank + 1 < total else { return lower }
    let upper = value(atRank: rank + 1)
    return lower + fraction * (upper - lower)
  }
}

extension IntensityNormalization {
  /// The values mapped to 0 and 1 for a channel given by its histogram: the same numbers
  /// `mappedRange(_:)` gives for the channel's values.
  public func mappedRange(_ histogram: IntensityHistogram) -> (low: Float, high: Float) {
    precondition(histogram.total > 0, "IntensityNormalization: empty channel")
    let low = histogram.percentile(lowPercentile)
    let high = histogram.percentile(highPercentile)
    if high > low { return (low, high) }
    return (histogram.value(atRank: 0), histogram.value(atRank: histogram.total - 1))
  }

  /// Maps `values` of one channel with the range `mappedRange` gave, as `normalized` does.
  public static func apply(_ range: (low: Float, high: Float), to values: inout [Float]) {
    let scale: Float = range.high > range.low ? 1 / (range.high - range.low) : 0
    let low = range.low
    values.withUnsafeMutableBufferPointer { v in
      for i in v.indices { v[i] = (v[i] - low) * scale }
    }
  }
}
