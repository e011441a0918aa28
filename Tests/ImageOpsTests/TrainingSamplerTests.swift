import ImageOps
import NeuralCore
import Testing

@Suite struct TrainingSamplerTests {
  static func example(height: Int = 40, width: Int = 50, channels: Int = 2) -> (Tensor, LabelImage) {
    var random = RandomSource(seed: 21)
    // Channel c is (c + 1) times channel 0, so a layout mix-up would show.
    let plane = randomImage(channels: 1, height: height, width: width, random: &random).storage
    let image = Tensor(
      shape: Shape(channels: channels, height: height, width: width),
      storage: (0..<channels).flatMap { c in plane.map { $0 * Float(c + 1) } })
    var labels = LabelImage(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width where (y / 8 + x / 8) % 3 == 0 { labels[y, x] = Int32(1 + y / 8 * 10 + x / 8) }
    }
    return (image, labels)
  }

  @Test(arguments: [AugmentationOptions(), AugmentationOptions.none])
  func samplesHaveTheRequestedShapesAndKeepChannels(options: AugmentationOptions) {
    let (image, labels) = Self.example()
    var sampler = TrainingSampler(image: image, labels: labels, augmentation: options)
    sampler.augmentation.intensity = false
    var random = RandomSource(seed: 1)
    for _ in 0..<4 {
      let sample = sampler.sample(inputSize: 44, outputSize: 4, random: &random)
      #expect(sample.input.shape == Shape(channels: 2, height: 44, width: 44))
      #expect(sample.classes.count == 16 && sample.weights.count == 16)
      #expect(sample.classes.allSatisfy { $0 == 0 || $0 == 1 })
      for p in 0..<(44 * 44) {
        #expect(abs(sample.input.storage[44 * 44 + p] - 2 * sample.input.storage[p]) < 1e-5)
      }
    }
  }

  @Test func withoutAugmentationASampleIsAPlainCropOfTheTarget() {
    let (image, labels) = Self.example()
    let sampler = TrainingSampler(image: image, labels: labels, augmentation: .none)
    var random = RandomSource(seed: 2)
    for _ in 0..<6 {
      let transform = sampler.randomTransform(inputSize: 30, outputSize: 20, random: &random)
      let sample = sampler.sample(transform: transform, outputSize: 20, jitter: nil)
      let top = Int(transform.centerY - 14.5) + 5
      let left = Int(transform.centerX - 14.5) + 5
      #expect(top >= 0 && top + 20 <= 40 && left >= 0 && left + 20 <= 50)
      for i in 0..<20 {
        for j in 0..<20 {
          let source = (top + i) * 50 + left + j
          #expect(sample.classes[i * 20 + j] == sampler.target.classes[source])
          #expect(sample.weights[i * 20 + j] == sampler.target.weights[source])
          #expect(sample.input[1, i + 5, j + 5] == image[1, top + i, left + j])
        }
      }
    }
  }

  @Test func tinyImagesAreMirroredAndOnlyRealPixelsCarryWeight() {
    let (image, labels) = Self.example(height: 3, width: 5, channels: 1)
    let sampler = TrainingSampler(image: image, labels: labels, augmentation: .none)
    var random = RandomSource(seed: 3)
    let sample = sampler.sample(inputSize: 28, outputSize: 12, random: &random)
    #expect(sample.input.shape == Shape(channels: 1, height: 28, width: 28))
    // The 12×12 output tile is centred on the 3×5 image: rows -4...7, columns -3...8
    // (origin (extent - tile) / 2, rounded toward zero), the input tile 8 pixels more.
    for u in 0..<28 {
      for v in 0..<28 {
        #expect(sample.input[0, u, v] == image[0, mirrorIndex(u - 12, count: 3), mirrorIndex(v - 11, count: 5)])
      }
    }
    #expect(sample.weights.filter { $0 > 0 }.count == 15)
    #expect(sample.weights[4 * 12 + 3] == sampler.target.weights[0])
    // Augmented samples of a tiny image work too.
    let augmented = TrainingSampler(image: image, labels: labels)
    let other = augmented.sample(inputSize: 28, outputSize: 12, random: &random)
    #expect(other.input.storage.allSatisfy { $0.isFinite })
  }

  @Test func sameSeedSameSampleOtherSeedOtherSample() {
    let (image, labels) = Self.example()
    let sampler = TrainingSampler(image: image, labels: labels)
    var a = RandomSource(seed: 77)
    var b = RandomSource(seed: 77)
    var c = RandomSource(seed: 78)
    let first = sampler.sample(inputSize: 36, outputSize: 20, random: &a)
    #expect(first == sampler.sample(inputSize: 36, outputSize: 20, random: &b))
    #expect(first != sampler.sample(inputSize: 36, outputSize: 20, random: &c))
    #expect(a == b)
  }

  @Test func foregroundCentredCropsFindSparseObjects() {
    var labels = LabelImage(width: 200, height: 200)
    for y in 150..<154 {
      for x in 20..<24 { labels[y, x] = 1 }
    }
    let image = Tensor(channels: 1, height: 200, width: 200, repeating: 0.5)
    let sampler = TrainingSampler(image: image, labels: labels, augmentation: .none, foregroundFraction: 1)
    var random = RandomSource(seed: 9)
    for _ in 0..<10 {
      let sample = sampler.sample(inputSize: 16, outputSize: 8, random: &random)
      #expect(sample.classes.contains(1))
    }
  }

  @Test func augmentedClassesAndWeightsStayPaired() {
    let (image, labels) = Self.example()
    let sampler = TrainingSampler(image: image, labels: labels)
    let pairs = Set(zip(sampler.target.classes, sampler.target.weights).map { "\($0)/\($1)" })
    var random = RandomSource(seed: 12)
    for _ in 0..<5 {
      let sample = sampler.sample(inputSize: 40, outputSize: 24, random: &random)
      for (c, w) in zip(sample.classes, sample.weights) where w > 0 {
        #expect(pairs.contains("\(c)/\(w)"))
      }
    }
  }

  @Test func intensityJitterIsGentleAndMonotone() {
    var random = RandomSource(seed: 13)
    let jitter = IntensityJitter(channels: 3, options: AugmentationOptions(), random: &random)
    var tile = Tensor(channels: 3, height: 1, width: 11)
    for c in 0..<3 {
      for i in 0..<11 { tile[c, 0, i] = Float(i) / 10 }
    }
    let before = tile
    jitter.apply(to: &tile)
    for c in 0..<3 {
      for i in 0..<11 {
        #expect(abs(tile[c, 0, i] - before[c, 0, i]) < 0.3)
        if i > 0 { #expect(tile[c, 0, i] > tile[c, 0, i - 1]) }
      }
    }
    let identity = IntensityJitter(gain: [1], offset: [0], gamma: [1])
    var unchanged = Tensor(channels: 1, height: 2, width: 2, repeating: -0.25)
    identity.apply(to: &unchanged)
    #expect(unchanged.storage == [-0.25, -0.25, -0.25, -0.25])
  }
}
