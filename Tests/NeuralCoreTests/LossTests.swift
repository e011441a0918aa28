import NeuralCore
import Testing

@Suite struct LossTests {
  static func naiveLoss(_ logits: Tensor, _ targets: [Int32], _ weights: [Float], bySum: Bool) -> Double {
    let pixels = logits.height * logits.width
    var total = 0.0
    for i in 0..<pixels where weights[i] > 0 {
      let z = (0..<logits.channels).map { Double(logits.storage[$0 * pixels + i]) }
      let logSum = Double.log(z.reduce(0) { $0 + Double.exp($1) })
      total += Double(weights[i]) * (logSum - z[Int(targets[i])])
    }
    let normaliser = bySum ? Double(weights.reduce(0, +)) : Double(pixels)
    return total / normaliser
  }

  @Test(arguments: [SoftmaxCrossEntropy.Normalization.pixelCount, .weightSum])
  func lossMatchesTheNaiveFormulaAndGradientMatchesFiniteDifferences(
    normalization: SoftmaxCrossEntropy.Normalization
  ) {
    var rng = RandomSource(seed: 12)
    let logits = Reference.randomTensor(3, 5, 6, rng: &rng)
    let targets = (0..<30).map { _ in Int32(rng.nextInt(below: 3)) }
    var weights = (0..<30).map { _ in 0.5 + 5 * rng.nextUniform() }
    weights[4] = 0
    let bySum = normalization == .weightSum
    let (loss, gradient) = SoftmaxCrossEntropy.lossAndGradient(
      logits: logits, targets: targets, weights: weights, normalization: normalization)
    #expect(abs(Double(loss) - Self.naiveLoss(logits, targets, weights, bySum: bySum)) < 1e-5)
    for index in 0..<logits.storage.count {
      var plus = logits
      var minus = logits
      let h: Float = 1e-2
      plus.storage[index] += h
      minus.storage[index] -= h
      let numeric =
        (Self.naiveLoss(plus, targets, weights, bySum: bySum)
          - Self.naiveLoss(minus, targets, weights, bySum: bySum)) / (2 * Double(h))
      #expect(abs(numeric - Double(gradient.storage[index])) < 1e-4, "logit \(index)")
    }
  }

  @Test func zeroWeightIgnoresThePixelWhateverItsTarget() {
    let logits = Tensor(shape: Shape(channels: 2, height: 1, width: 2), storage: [1, 2, 3, -1])
    let (loss, gradient) = SoftmaxCrossEntropy.lossAndGradient(
      logits: logits, targets: [0, -1], weights: [1, 0])
    #expect(gradient.storage[1] == 0 && gradient.storage[3] == 0)
    let expected = Self.naiveLoss(
      Tensor(shape: Shape(channels: 2, height: 1, width: 1), storage: [1, 3]), [0], [1], bySum: false) / 2
    #expect(abs(Double(loss) - expected) < 1e-6)
  }

  @Test func hugeLogitsStayFinite() {
    let logits = Tensor(shape: Shape(channels: 3, height: 1, width: 2), storage: [1e4, -1e4, 0, 0, 5e3, 1e4])
    let (loss, gradient) = SoftmaxCrossEntropy.lossAndGradient(
      logits: logits, targets: [1, 2], weights: [1, 1])
    // Pixel 0: target logit 0 against 1e4 → −log p = 1e4; pixel 1: target is the maximum → 0.
    #expect(abs(loss - 5e3) < 1)
    #expect(gradient.storage.allSatisfy { $0.isFinite })
    #expect(abs(gradient.storage[0] - 0.5) < 1e-6)  // p = 1 for class 0 at pixel 0, / 2 pixels
    #expect(abs(gradient.storage[2] + 0.5) < 1e-6)  // target class 1 at pixel 0
    let p = softmax(logits)
    #expect(p.storage.allSatisfy { $0.isFinite })
    #expect(abs(p.storage[0] - 1) < 1e-6 && abs(p.storage[5] - 1) < 1e-6)
  }

  @Test func softmaxSumsToOneOverChannels() {
    var rng = RandomSource(seed: 3)
    let logits = Reference.randomTensor(4, 3, 3, rng: &rng)
    let p = softmax(logits)
    for i in 0..<9 {
      let z = (0..<4).map { Double(logits.storage[$0 * 9 + i]) }
      let sum = z.reduce(0) { $0 + Double.exp($1) }
      for k in 0..<4 {
        #expect(abs(Double(p.storage[k * 9 + i]) - Double.exp(z[k]) / sum) < 1e-6)
      }
    }
  }

  @Test func dropoutZeroesAboutPAndScalesTheRest() {
    var values = [Float](repeating: 2, count: 100_000)
    var rng = RandomSource(seed: 5)
    Dropout.apply(&values, probability: 0.25, rng: &rng)
    let zeros = values.filter { $0 == 0 }.count
    #expect(abs(Double(zeros) / 100_000 - 0.25) < 0.01)
    #expect(values.allSatisfy { $0 == 0 || abs($0 - 2 / 0.75) < 1e-6 })
  }
}
