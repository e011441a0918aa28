import ImageOps
import NeuralCore
import Testing

/// Percentiles from a histogram (the streamed `segment`'s first pass) are exactly those of the
/// sorted values (`IntensityNormalization.mappedRange`), for every bit depth it serves.
@Suite struct IntensityHistogramTests {
  static func check(_ values: [Int], range: ClosedRange<Int>, _ normalization: IntensityNormalization) {
    var histogram = IntensityHistogram(range: range)
    // Added in two parts, as bands are.
    histogram.add(values[..<(values.count / 3)])
    histogram.add(values[(values.count / 3)...])
    let exact = normalization.mappedRange(values.map { Float($0) })
    let streamed = normalization.mappedRange(histogram)
    #expect(streamed.low == exact.low && streamed.high == exact.high, "\(streamed) vs \(exact)")
  }

  @Test("Random 8- and 16-bit samples, default and odd percentiles", arguments: [1, 2, 3, 1000, 4097, 65_536])
  func randomSamples(count: Int) {
    var random = RandomSource(seed: UInt64(count))
    let uint8 = (0..<count).map { _ in random.nextInt(below: 256) }
    let uint16 = (0..<count).map { _ in random.nextInt(below: 3000) * 20 }
    let int16 = (0..<count).map { _ in random.nextInt(below: 65_536) - 32_768 }
    for normalization in [
      IntensityNormalization(), IntensityNormalization(lowPercentile: 0, highPercentile: 100),
      IntensityNormalization(lowPercentile: 3.7, highPercentile: 61.3),
    ] {
      Self.check(uint8, range: 0...255, normalization)
      Self.check(uint16, range: 0...65_535, normalization)
      Self.check(int16, range: -32_768...32_767, normalization)
    }
  }

  @Test("Constant and nearly constant channels fall back to minimum and maximum as the sort does")
  func degenerate() {
    Self.check([Int](repeating: 7, count: 500), range: 0...255, IntensityNormalization())
    Self.check([Int](repeating: 7, count: 999) + [200], range: 0...255, IntensityNormalization())
    Self.check([3] + [Int](repeating: 9, count: 999), range: 0...255, IntensityNormalization())
  }
}
