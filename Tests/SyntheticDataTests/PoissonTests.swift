import NeuralCore
import SyntheticData
import Testing

@Suite struct PoissonTests {
  @Test(arguments: [Float(0.5), 4, 25, 80])
  func meanAndVarianceEqualTheRequestedMean(mean: Float) {
    var random = RandomSource(seed: 77)
    let samples = (0..<20_000).map { _ in random.nextPoisson(mean: mean) }
    #expect(samples.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
    let sampleMean = samples.reduce(0, +) / Float(samples.count)
    let variance = samples.reduce(0) { $0 + ($1 - sampleMean) * ($1 - sampleMean) } / Float(samples.count)
    // Standard error of the mean is √(mean / 20 000) < 0.07 even at 80: 5 % is > 4 σ.
    #expect(abs(sampleMean - mean) < 0.05 * mean + 0.02, "mean \(sampleMean) for \(mean)")
    #expect(abs(variance - mean) < 0.1 * mean + 0.05, "variance \(variance) for \(mean)")
  }

  @Test func zeroMeanGivesZero() {
    var random = RandomSource(seed: 1)
    #expect((0..<100).allSatisfy { _ in random.nextPoisson(mean: 0) == 0 })
  }
}
