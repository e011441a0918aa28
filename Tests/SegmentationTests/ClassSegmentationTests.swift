import ImageOps
import NeuralCore
import Segmentation
import Testing

/// A 3-class "network" without pooling: the logits of class k at a pixel are Σ w_k · the
/// 3×3 input window (margin 1), turned into probabilities by `softmax`.
private struct ThreeClassPredictor: TilePredictor {
  let weights: [[Float]]

  init(seed: UInt64) {
    var random = RandomSource(seed: seed)
    weights = (0..<3).map { _ in (0..<9).map { _ in random.nextGaussian() } }
  }

  var inputChannels: Int { 1 }
  var classes: Int { 3 }
  var outputAlignment: Int { 1 }
  func inputSize(forOutputSize outputSize: Int) -> Int? { outputSize % 4 == 0 && outputSize > 0 ? outputSize + 2 : nil }
  func largestLegalOutputSize(atMost limit: Int) -> Int? { limit >= 4 ? limit / 4 * 4 : nil }
  func smallestLegalOutputSize(atLeast limit: Int) -> Int? { max(4, (limit + 3) / 4 * 4) }
  func estimatedBytes(forOutputSize outputSize: Int) -> Int { 64 * (outputSize + 2) * (outputSize + 2) }

  func predictProbabilities(_ tile: Tensor) -> Tensor {
    let out = tile.width - 2
    var logits = Tensor(channels: 3, height: out, width: out)
    for k in 0..<3 {
      for y in 0..<out {
        for x in 0..<out {
          var sum: Float = 0
          for dy in 0..<3 { for dx in 0..<3 { sum += weights[k][dy * 3 + dx] * tile[0, y + dy, x + dx] } }
          logits[k, y, x] = sum
        }
      }
    }
    return softmax(logits)
  }
}

@Suite struct ClassSegmentationTests {
  @Test func classProbabilitiesStitchLikeTheForegroundAndDoNotDependOnTheTile() throws {
    var random = RandomSource(seed: 8)
    let image = Tensor(
      shape: Shape(channels: 1, height: 30, width: 37), storage: (0..<(30 * 37)).map { _ in random.nextUniform() })
    let predictor = ThreeClassPredictor(seed: 2)
    let small = OverlapTileSegmenter(predictor: predictor, outputTileSize: 8)
    let large = OverlapTileSegmenter(predictor: predictor, outputTileSize: 40)
    let probabilities = try small.classProbabilities(image)
    #expect(probabilities.shape == Shape(channels: 3, height: 30, width: 37))
    #expect(probabilities.storage == (try large.classProbabilities(image)).storage)
    // The foreground is Σ_{k≥1} p_k, bit for bit what `segment` stitches.
    #expect(foregroundProbability(probabilities).storage == (try small.segment(image)).storage)
    let plane = 30 * 37
    for i in [0, 100, plane - 1] {
      let sum = probabilities.storage[i] + probabilities.storage[plane + i] + probabilities.storage[2 * plane + i]
      #expect(abs(sum - 1) < 1e-5)
    }
  }

  @Test func mostProbableClassTakesTheLowerClassOnTies() {
    // Pixels: class 2 wins, class 0 wins, a tie of 1 and 2, a tie of all three.
    let probabilities = Tensor(
      shape: Shape(channels: 3, height: 1, width: 4),
      storage: [0.2, 0.6, 0.2, 1.0 / 3, 0.3, 0.2, 0.4, 1.0 / 3, 0.5, 0.2, 0.4, 1.0 / 3])
    #expect(mostProbableClasses(probabilities) == [2, 0, 1, 0])
  }

  @Test func touchingObjectsOfDifferentClassesStayApartAndAreCounted() {
    // 12×6: a class-1 block touching a class-2 block, and a lone class-2 block.
    var classMap = [UInt8](repeating: 0, count: 72)
    for y in 1..<5 {
      for x in 1..<4 { classMap[y * 12 + x] = 1 }
      for x in 4..<7 { classMap[y * 12 + x] = 2 }
      for x in 9..<11 { classMap[y * 12 + x] = 2 }
    }
    let foreground = Tensor(
      shape: Shape(channels: 1, height: 6, width: 12), storage: classMap.map { $0 != 0 ? 0.9 : 0.1 })
    let instances = InstanceOptions().labels(classMap: classMap, foreground: foreground, classes: 3)
    #expect(instances.count == 3)
    #expect(instances.objectsPerClass == [1, 2])
    #expect(instances.labels.values[2 * 12 + 3] != instances.labels.values[2 * 12 + 4])
    #expect(instances.objectClasses[Int(instances.labels.values[2 * 12 + 5])] == 2)
    // The same map with one class: the touching blocks are one object.
    let merged = InstanceOptions().labels(classMap: classMap.map { $0 != 0 ? 1 : 0 }, foreground: foreground, classes: 2)
    #expect(merged.count == 2 && merged.objectsPerClass == [2])
  }

  @Test func predictionsCutInstancesByTheirClassCount() throws {
    var random = RandomSource(seed: 5)
    let image = Tensor(
      shape: Shape(channels: 1, height: 24, width: 24), storage: (0..<576).map { _ in random.nextUniform() })
    let probabilities = try OverlapTileSegmenter(predictor: ThreeClassPredictor(seed: 9), outputTileSize: 24)
      .classProbabilities(image)
    let prediction = ImagePrediction(classProbabilities: probabilities)
    #expect(prediction.classes == 3 && prediction.classMap == mostProbableClasses(probabilities))
    let options = InstanceOptions(minimumArea: 2)
    let direct = options.labels(
      classMap: mostProbableClasses(probabilities), foreground: foregroundProbability(probabilities), classes: 3)
    #expect(options.labels(prediction).labels == direct.labels && options.labels(prediction).count == direct.count)
    // Two classes: the class map is not needed, the foreground threshold decides.
    let plane = 576
    let twoClass = Tensor(
      shape: Shape(channels: 2, height: 24, width: 24),
      storage: Array(probabilities.storage[0..<plane]) + (0..<plane).map { 1 - probabilities.storage[$0] })
    let binary = ImagePrediction(classProbabilities: twoClass)
    #expect(binary.classMap == nil && binary.classes == 2)
    #expect(options.labels(binary).labels == options.labels(probability: binary.foreground).labels)
  }
}
