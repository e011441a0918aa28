import ImageOps
import NeuralCore
import Testing

@Suite struct WeightMapTests {
  /// Two squares touching along a line, and three objects meeting near one point.
  static let layouts: [(name: String, image: LabelImage)] = [
    ("two touching", ReferenceOps.rectangles(width: 40, height: 24, [(1, 6, 6, 10, 12), (2, 6, 18, 10, 12)])),
    (
      "three touching",
      ReferenceOps.rectangles(
        width: 36, height: 36, [(1, 4, 4, 12, 14), (2, 4, 18, 12, 12), (3, 16, 8, 12, 16)])
    ),
    (
      "three apart",
      ReferenceOps.rectangles(width: 48, height: 30, [(5, 3, 3, 8, 8), (9, 14, 20, 9, 6), (2, 4, 17, 6, 5)])
    ),
  ]

  @Test(arguments: [0, 1, 2], [WeightMapParameters(), WeightMapParameters(w0: 4, sigma: 2, classBalance: false)])
  func matchesDirectEvaluationOfEquationTwo(layout: Int, parameters: WeightMapParameters) {
    let labels = Self.layouts[layout].image
    for threads in [1, 2] {
      let target = makeTrainingTarget(labels: labels, parameters: parameters, parallel: Parallel(threads: threads))
      let expected = ReferenceOps.directWeightMap(
        objects: target.objects, ignored: [Bool](repeating: false, count: labels.values.count),
        w0: parameters.w0, sigma: parameters.sigma,
        backgroundWeight: target.backgroundClassWeight, foregroundWeight: target.foregroundClassWeight)
      var worst: Float = 0
      for p in expected.indices { worst = max(worst, abs(target.weights[p] - expected[p])) }
      #expect(worst < 1e-4 * max(1, parameters.w0), "\(Self.layouts[layout].name), \(threads) threads")
    }
  }

  @Test func peakBetweenTouchingObjectsIsAboutClassWeightPlusW0() {
    let labels = Self.layouts[0].image
    let target = makeTrainingTarget(labels: labels)
    let wc = target.backgroundClassWeight
    // The seam is column 18 (object 2's contact column): d1 = d2 = 1 there.
    let seam = target.weights[10 * 40 + 18]
    #expect(abs(seam - (wc + 10 * Float.exp(-4.0 / 50))) < 1e-4)
    #expect(seam > wc + 0.9 * 10)
    #expect(target.weights.max() == seam)
    // Far from every object (image corner) only w_c is left.
    #expect(abs(target.weights[23 * 40 + 39] - wc) < 1e-5)
    #expect(abs(target.weights[0] - wc) < 1e-5)
  }

  @Test func classBalanceGivesEqualTotalsWithObjectPixelsWeighingOne() {
    let labels = ReferenceOps.rectangles(width: 20, height: 10, [(1, 2, 2, 4, 5)])
    let target = makeTrainingTarget(labels: labels)
    // 20 foreground, 180 background: object pixels weigh 1, background 20 / 180.
    #expect(target.foregroundClassWeight == 1)
    #expect(abs(target.backgroundClassWeight - 20.0 / 180.0) < 1e-6)
    // A single object has no second-nearest object, so the weights are w_c alone: each class
    // totals 20.
    let total = target.weights.reduce(0, +)
    #expect(abs(total - 40) < 1e-3)
    // Mostly foreground: object pixels still weigh 1, background 144 / 56.
    let large = makeTrainingTarget(labels: ReferenceOps.rectangles(width: 20, height: 10, [(1, 1, 1, 8, 18)]))
    #expect(large.foregroundClassWeight == 1)
    #expect(abs(large.backgroundClassWeight - 144.0 / 56.0) < 1e-5)
    // No foreground at all: nothing to balance.
    let empty = makeTrainingTarget(labels: LabelImage(width: 6, height: 4))
    #expect(empty.weights.allSatisfy { $0 == 1 })
    let unbalanced = makeTrainingTarget(labels: labels, parameters: WeightMapParameters(classBalance: false))
    #expect(unbalanced.weights.allSatisfy { $0 == 1 })
  }

  @Test func ignoredPixelsWeighNothingAndAreNoObjects() {
    var labels = ReferenceOps.rectangles(width: 20, height: 12, [(1, 2, 2, 5, 5), (2, 2, 7, 5, 5)])
    for y in 8..<12 {
      for x in 0..<20 { labels[y, x] = 255 }
    }
    let parameters = WeightMapParameters(ignoreValue: 255)
    let target = makeTrainingTarget(labels: labels, parameters: parameters)
    for y in 8..<12 {
      for x in 0..<20 {
        #expect(target.weights[y * 20 + x] == 0)
        #expect(target.classes[y * 20 + x] == 0)
      }
    }
    // 50 object pixels minus the 5-pixel seam, 240 - 80 counted pixels.
    #expect(target.foregroundClassWeight == 1)
    #expect(abs(target.backgroundClassWeight - 45.0 / 115.0) < 1e-6)
    #expect(weightMap(labels: labels, parameters: parameters) == target.weights)
  }

  @Test func aMaskIsSplitIntoComponentsBeforeWeighting() {
    // One foreground value, two separate blobs: they count as two objects.
    let mask = ReferenceOps.rectangles(width: 20, height: 8, [(255, 2, 2, 4, 5), (255, 2, 9, 4, 5)])
    let target = makeTrainingTarget(labels: mask)
    #expect(Set(target.objects.values) == [0, 1, 2])
    // Pixel between the blobs (column 8 gap is 2 px wide: columns 7 and 8).
    #expect(target.weights[3 * 20 + 7] > target.backgroundClassWeight + 5)
  }
}
