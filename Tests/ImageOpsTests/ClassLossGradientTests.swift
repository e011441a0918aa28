import ImageOps
import NeuralCore
import Testing

/// The K-class weighted loss of training (Eq. 1 with the Eq. 2 weights of a class-label
/// target) against a plain Double evaluation, and its gradient against central finite
/// differences (issue 14).
@Suite struct ClassLossGradientTests {
  /// (1/N) Σ_x w(x) · (log Σ_k exp a_k(x) − a_ℓ(x)(x)), in Double.
  static func loss(_ logits: [Double], classes: Int, target: TrainingTarget) -> Double {
    let pixels = target.classes.count
    var total = 0.0
    for i in 0..<pixels where target.weights[i] > 0 {
      let a = (0..<classes).map { logits[$0 * pixels + i] }
      let logSum = Double.log(a.reduce(0) { $0 + Double.exp($1) })
      total += Double(target.weights[i]) * (logSum - a[Int(target.classes[i])])
    }
    return total / Double(pixels)
  }

  @Test(arguments: [3, 4])
  func kClassWeightedLossAndGradientMatchFiniteDifferences(classes: Int) {
    // 14×10: objects of classes 1, 2 (and 3 for K = 4) touching each other, an ignored row.
    var labels = LabelImage(width: 14, height: 10)
    for y in 1..<7 {
      for x in 1..<5 { labels[y, x] = 1 }
      for x in 5..<9 { labels[y, x] = 2 }
      for x in 10..<13 { labels[y, x] = Int32(classes - 1) }
    }
    for x in 0..<14 { labels[9, x] = 200 }
    let target = makeTrainingTarget(
      labels: labels, parameters: WeightMapParameters(w0: 10, sigma: 2, ignoreValue: 200, labelKind: .classes(classes)))
    #expect(Set(target.classes) == Set((0..<classes).map { Int32($0) }))
    #expect(target.weights.max() ?? 0 > 2, "the separation term is in the weights")

    var random = RandomSource(seed: UInt64(classes))
    let pixels = 140
    let logits = Tensor(
      shape: Shape(channels: classes, height: 10, width: 14),
      storage: (0..<(classes * pixels)).map { _ in 3 * (2 * random.nextUniform() - 1) })
    let (loss, gradient) = SoftmaxCrossEntropy.lossAndGradient(
      logits: logits, targets: target.classes, weights: target.weights)
    let exact = logits.storage.map { Double($0) }
    #expect(abs(Double(loss) - Self.loss(exact, classes: classes, target: target)) < 1e-5)
    let h = 1e-3
    var worst = 0.0
    for index in exact.indices {
      var plus = exact
      var minus = exact
      plus[index] += h
      minus[index] -= h
      let numeric =
        (Self.loss(plus, classes: classes, target: target) - Self.loss(minus, classes: classes, target: target)) / (2 * h)
      worst = max(worst, abs(numeric - Double(gradient.storage[index])))
    }
    #expect(worst < 1e-5, "largest gradient error \(worst)")
    // Ignored pixels (the last row) get no gradient in any class.
    for k in 0..<classes { #expect((0..<14).allSatisfy { gradient.storage[k * pixels + 9 * 14 + $0] == 0 }) }
  }
}
