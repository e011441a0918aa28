import ImageOps
import NeuralCore
import Testing

/// Class labels (`label_kind` `"classes"`, issue 14): objects per class, the K-class training
/// target and its class balance, and two-class targets unchanged.
@Suite struct ClassLabelsTests {
  /// 20×12: a class-1 square touching a class-2 square, a second class-1 square apart, and
  /// (optionally) an ignored stripe.
  static func scene(ignore: Int32? = nil) -> LabelImage {
    var labels = LabelImage(width: 20, height: 12)
    for y in 2..<8 {
      for x in 1..<6 { labels[y, x] = 1 }
      for x in 6..<11 { labels[y, x] = 2 }
      for x in 14..<18 { labels[y, x] = 1 }
    }
    if let ignore { for x in 0..<20 { labels[11, x] = ignore } }
    return labels
  }

  @Test func objectsAreTheConnectedComponentsOfEachClass() {
    let objects = Self.scene(ignore: 9).objects(kind: .classes(3), ignoreValue: 9)
    #expect(objects.count == 3)
    // Raster order of first pixels: the class-1 square (x 1), the class-2 square, the far one.
    #expect(objects.objectClasses == [0, 1, 2, 1])
    #expect(objects.labels[2, 1] == 1 && objects.labels[2, 6] == 2 && objects.labels[2, 14] == 3)
    #expect(objects.labels[11, 0] == 0, "ignored pixels are no object")
    #expect(objects.classMap[3 * 20 + 7] == 2 && objects.classMap[0] == 0)
    // The same image read as instances: two values, so each value is one object (class 1).
    let instances = Self.scene().objects(kind: .instances)
    #expect(instances.count == 2 && instances.objectClasses == [0, 1, 1])
  }

  @Test func valuesOutsideTheClassesAreFound() {
    var labels = Self.scene(ignore: 9)
    #expect(labels.firstValue(outside: 0..<3, ignoreValue: 9) == nil)
    #expect(labels.firstValue(outside: 0..<3, ignoreValue: nil)?.value == 9)
    labels[4, 15] = 3
    let found = labels.firstValue(outside: 0..<3, ignoreValue: 9)
    #expect(found?.index == 4 * 20 + 15 && found?.value == 3)
  }

  @Test func targetKeepsClassesAndSeparatesObjectsOfDifferentClasses() {
    let parameters = WeightMapParameters(w0: 10, sigma: 3, labelKind: .classes(3))
    let target = makeTrainingTarget(labels: Self.scene(), parameters: parameters)
    #expect(Set(target.classes) == [0, 1, 2])
    #expect(target.classes[4 * 20 + 3] == 1 && target.classes[4 * 20 + 8] == 2 && target.classes[4 * 20 + 15] == 1)
    // The class-2 square (the larger object number) gives up its contact column x = 6.
    #expect(target.classes[4 * 20 + 6] == 0 && target.borders[4 * 20 + 6])
    // Eq. 2's separation term acts between the two classes' objects: d1 = d2 = 1 there.
    let expected = target.backgroundClassWeight + 10 * Elementary.exp(-4 / 18)
    #expect(abs(target.weights[4 * 20 + 6] - expected) < 1e-4)
  }

  @Test func classBalanceGivesEveryPresentClassTheSameTotal() {
    let labels = Self.scene(ignore: 9)
    let target = makeTrainingTarget(
      labels: labels, parameters: WeightMapParameters(w0: 0, ignoreValue: 9, labelKind: .classes(4)))
    var totals = [Double](repeating: 0, count: 4)
    var counts = [Int](repeating: 0, count: 4)
    for p in target.classes.indices where labels.values[p] != 9 {
      totals[Int(target.classes[p])] += Double(target.weights[p])
      counts[Int(target.classes[p])] += 1
    }
    #expect(counts[3] == 0 && target.classWeights[3] == 1, "an absent class keeps w_c = 1")
    for k in 1...2 { #expect(abs(totals[k] - totals[0]) < 1e-3, "class \(k): \(totals)") }
    // Object pixels weigh 1 on average, as with two classes.
    let objectPixels = Double(counts[1] + counts[2])
    #expect(abs((totals[1] + totals[2]) / objectPixels - 1) < 1e-6)
    #expect(target.weights[11 * 20 + 3] == 0, "ignored pixels weigh nothing")
  }

  @Test func twoClassLabelsGiveTheInstanceTargetBitForBit() {
    // Objects that do not touch: as class labels (0/1) and as instances they are the same
    // objects, so the targets must agree exactly (the K = 2 balance is n_fg / n_bg).
    var labels = LabelImage(width: 24, height: 16)
    for y in 2..<7 { for x in 2..<8 { labels[y, x] = 1 } }
    for y in 9..<14 { for x in 12..<20 { labels[y, x] = 1 } }
    let instance = makeTrainingTarget(labels: labels)
    let classes = makeTrainingTarget(labels: labels, parameters: WeightMapParameters(labelKind: .classes(2)))
    #expect(instance.classes == classes.classes && instance.weights == classes.weights)
    #expect(instance.foregroundClassWeight == 1)
    #expect(instance.backgroundClassWeight == Float(30 + 40) / Float(24 * 16 - 70))
  }

  @Test func samplerCentresCropsOnObjectsOfEveryClass() {
    var labels = LabelImage(width: 64, height: 64)
    for y in 50..<54 { for x in 50..<54 { labels[y, x] = 2 } }
    let sampler = TrainingSampler(
      image: Tensor(shape: Shape(channels: 1, height: 64, width: 64)), labels: labels,
      parameters: WeightMapParameters(labelKind: .classes(3)),
      augmentation: AugmentationOptions(elastic: false, flips: false, rotate: false, intensity: false),
      foregroundFraction: 1)
    var random = RandomSource(seed: 4)
    let sample = sampler.sample(inputSize: 20, outputSize: 8, random: &random)
    #expect(sample.classes.contains(2), "a crop centred on a class-2 pixel holds class 2")
  }
}
