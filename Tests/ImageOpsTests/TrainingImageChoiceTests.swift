import ImageOps
import NeuralCore
import Testing

@Suite struct TrainingImageChoiceTests {
  private func frequencies(_ choice: TrainingImageChoice, images: Int, draws: Int) -> [Double] {
    var random = RandomSource(seed: 11)
    var counts = [Int](repeating: 0, count: images)
    for _ in 0..<draws { counts[choice.next(random: &random)] += 1 }
    return counts.map { Double($0) / Double(draws) }
  }

  /// Each image's share of the draws is its share of the pixels, within 5 standard errors.
  @Test func byAreaEveryPixelIsEquallyLikely() {
    let pixels = [256 * 256, 1388 * 1040, 10, 512 * 640, 1]
    let total = Double(pixels.reduce(0, +))
    let draws = 200_000
    let observed = frequencies(TrainingImageChoice(rule: .area, pixelCounts: pixels), images: pixels.count, draws: draws)
    for (count, share) in zip(pixels, observed) {
      let p = Double(count) / total
      #expect(abs(share - p) <= 5 * (p * (1 - p) / Double(draws)).squareRoot() + 1e-9, "image of \(count) pixels")
    }
  }

  @Test func byImageEveryImageIsEquallyLikely() {
    let observed = frequencies(
      TrainingImageChoice(rule: .image, pixelCounts: [5, 50_000, 500]), images: 3, draws: 90_000)
    for share in observed { #expect(abs(share - 1.0 / 3) < 0.01) }
  }

  @Test func oneImageIsAlwaysChosenAndDrawsNothing() {
    var random = RandomSource(seed: 3)
    var untouched = random
    #expect(TrainingImageChoice(rule: .area, pixelCounts: [99]).next(random: &random) == 0)
    #expect(random.next() == untouched.next())
  }
}
