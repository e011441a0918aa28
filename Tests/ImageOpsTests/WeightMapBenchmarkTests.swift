import Foundation
import ImageOps
import NeuralCore
import Testing

/// The issue's speed figure: the weight map of a 2048×2048 label image with 5000 objects.
/// Off by default (it takes about a second); run with
/// `IMAGEOPS_BENCHMARK=1 swift test -c release ... --filter WeightMapBenchmark`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["IMAGEOPS_BENCHMARK"] != nil))
struct WeightMapBenchmark {
  @Test(arguments: [1, 2])
  func largeImageWithFiveThousandObjects(threads: Int) {
    let labels = Self.packedDisks(size: 2048, count: 5000, seed: 42)
    let objects = labels.instances().count
    let clock = ContinuousClock()
    var weights: [Float] = []
    let elapsed = clock.measure {
      weights = weightMap(labels: labels, parallel: Parallel(threads: threads))
    }
    let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
    print("weight map 2048×2048, \(objects) objects, \(threads) thread(s): \(String(format: "%.3f", seconds)) s")
    #expect(weights.count == 2048 * 2048)
    #expect(objects == 5000)
  }

  /// `count` disks of radius 10...17 on a jittered grid (29 px apart): neighbours overlap, so
  /// many objects touch, as in dense cell images, and every disk keeps its centre.
  static func packedDisks(size: Int, count: Int, seed: UInt64) -> LabelImage {
    var random = RandomSource(seed: seed)
    var labels = LabelImage(width: size, height: size)
    let perRow = Int(Double(count).squareRoot().rounded(.up))
    let spacing = size / perRow
    for label in 1...count {
      let radius = 10 + random.nextInt(below: 8)
      let cy = (label - 1) / perRow * spacing + spacing / 2 + random.nextInt(below: 9) - 4
      let cx = (label - 1) % perRow * spacing + spacing / 2 + random.nextInt(below: 9) - 4
      for y in max(0, cy - radius)...min(size - 1, cy + radius) {
        for x in max(0, cx - radius)...min(size - 1, cx + radius)
        where (y - cy) * (y - cy) + (x - cx) * (x - cx) <= radius * radius {
          labels[y, x] = Int32(label)
        }
      }
    }
    return labels
  }

  /// Where the time of `makeTrainingTarget` goes, printed stage by stage.
  @Test func stageTimes() {
    let labels = Self.packedDisks(size: 2048, count: 5000, seed: 42)
    let clock = ContinuousClock()
    var instances = labels
    print("instances:", clock.measure { instances = labels.instances().labels })
    var separated = separateTouchingObjects(instances)
    print("separation:", clock.measure { separated = separateTouchingObjects(instances) })
    let mask = separated.objects.values.map { $0 != 0 }
    print("one full-image EDT:", clock.measure { _ = euclideanDistanceTransform(mask, width: 2048, height: 2048) })
    print("target without the w0 term:", clock.measure {
      _ = makeTrainingTarget(labels: labels, parameters: WeightMapParameters(w0: 0))
    })
  }

  /// One augmented 572 → 388 training sample (the paper's tile) from a 3-channel image.
  @Test func trainingSampleOfThePapersTileSize() {
    let labels = Self.packedDisks(size: 1024, count: 1250, seed: 7)
    var random = RandomSource(seed: 1)
    let image = randomImage(channels: 3, height: 1024, width: 1024, random: &random)
    let sampler = TrainingSampler(image: image, labels: labels)
    let clock = ContinuousClock()
    let repeats = 20
    let elapsed = clock.measure {
      for _ in 0..<repeats { _ = sampler.sample(inputSize: 572, outputSize: 388, random: &random) }
    }
    print("training sample 3×572² / 388², all augmentations:", elapsed / repeats)
  }
}
