import NeuralCore
import SyntheticData
import Testing

@Suite struct SmoothRandomFieldTests {
  @Test func separableSamplingEqualsPointwiseEvaluation() {
    var random = RandomSource(seed: 9)
    let field = SmoothRandomField(wavelength: 20, random: &random)
    let plane = field.sampled(width: 31, height: 17)
    for y in 0..<17 {
      for x in 0..<31 {
        #expect(abs(plane[y * 31 + x] - field.value(x: Float(x), y: Float(y))) < 1e-4)
      }
    }
  }

  @Test func hasRoughlyZeroMeanAndUnitSpreadOverManyWavelengths() {
    var random = RandomSource(seed: 4)
    let plane = SmoothRandomField(wavelength: 8, random: &random).sampled(width: 256, height: 256)
    let mean = plane.reduce(0, +) / Float(plane.count)
    let variance = plane.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(plane.count)
    #expect(abs(mean) < 0.1)
    #expect(variance > 0.7 && variance < 1.3)
  }
}
