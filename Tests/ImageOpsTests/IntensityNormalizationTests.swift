import ImageOps
import NeuralCore
import Testing

@Suite struct IntensityNormalizationTests {
  /// NumPy's default percentile, by sorting.
  static func referencePercentile(_ p: Float, _ values: [Float]) -> Float {
    let sorted = values.sorted()
    let position = Double(p) / 100 * Double(sorted.count - 1)
    let rank = Int(position)
    let fraction = Float(position - Double(rank))
    guard rank + 1 < sorted.count else { return sorted[rank] }
    return sorted[rank] + fraction * (sorted[rank + 1] - sorted[rank])
  }

  @Test(arguments: [1, 2, 7, 100, 1001], [Float(0), 1, 25, 99.8, 99.99])
  func percentilesMatchSorting(count: Int, low: Float) {
    var random = RandomSource(seed: UInt64(count))
    // Few distinct values, so many ties.
    let values = (0..<count).map { _ in Float(random.nextInt(below: 17)) - 3 }
    let normalization = IntensityNormalization(lowPercentile: low, highPercentile: 100)
    let (mappedLow, _) = normalization.mappedRange(values)
    let expected = Self.referencePercentile(low, values)
    let maximum = values.max() ?? 0
    // The fallback to min/max applies only when the percentiles coincide.
    if expected < maximum {
      #expect(abs(mappedLow - expected) < 1e-4, "count \(count), p \(low)")
    }
  }

  @Test func mapsPercentilesToZeroAndOnePerChannel() {
    var random = RandomSource(seed: 3)
    var image = Tensor(channels: 2, height: 20, width: 30)
    for i in 0..<600 { image.storage[i] = 1000 + 500 * random.nextUniform() }
    for i in 600..<1200 { image.storage[i] = -2 + 0.01 * random.nextUniform() }
    let normalization = IntensityNormalization()
    let result = normalization.normalized(image)
    #expect(result.shape == image.shape)
    for c in 0..<2 {
      let channel = Array(result.storage[(c * 600)..<((c + 1) * 600)])
      #expect(abs(Self.referencePercentile(1, channel)) < 1e-4)
      #expect(abs(Self.referencePercentile(99.8, channel) - 1) < 1e-4)
    }
  }

  @Test func constantChannelsBecomeZero() {
    var image = Tensor(channels: 2, height: 4, width: 4, repeating: 7)
    for i in 16..<32 { image.storage[i] = Float(i) }
    let result = IntensityNormalization().normalized(image)
    #expect(result.storage[0..<16].allSatisfy { $0 == 0 })
    #expect(result.storage[16..<32].allSatisfy { $0.isFinite })
  }

  @Test func sparseBrightSpotsFallBackToMinimumAndMaximum() {
    // 1000 zeros and one bright pixel: both percentiles are 0, so min/max take over.
    var image = Tensor(channels: 1, height: 1, width: 1001)
    image.storage[500] = 40
    let result = IntensityNormalization().normalized(image)
    #expect(result.storage[500] == 1)
    #expect(result.storage[0] == 0)
  }

  @Test func metadataRoundTrips() {
    let normalization = IntensityNormalization(lowPercentile: 0.5, highPercentile: 99.5)
    #expect(IntensityNormalization(metadata: normalization.metadata) == normalization)
    #expect(IntensityNormalization(metadata: IntensityNormalization().metadata) == IntensityNormalization())
    let extra = [("other", "x")] + normalization.metadata
    #expect(IntensityNormalization(metadata: extra) == normalization)
  }

  @Test func invalidMetadataIsRejected() {
    #expect(IntensityNormalization(metadata: []) == nil)
    let bad: [[(String, String)]] = [
      [("normalization", "zscore"), ("normalization.low_percentile", "1"), ("normalization.high_percentile", "99")],
      [("normalization", "percentile"), ("normalization.low_percentile", "x"), ("normalization.high_percentile", "99")],
      [("normalization", "percentile"), ("normalization.low_percentile", "50"), ("normalization.high_percentile", "20")],
      [("normalization", "percentile"), ("normalization.low_percentile", "1")],
    ]
    for metadata in bad { #expect(IntensityNormalization(metadata: metadata) == nil) }
  }
}
