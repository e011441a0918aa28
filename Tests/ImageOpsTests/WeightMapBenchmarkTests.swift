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

  @Test func stages() {
    let labels = Self.packedDisks(size: 2048, count: 5000, seed: 42)
    let clock = ContinuousClock()
    var inst = labels
    print("instances", clock.measure { inst = labels.instances().labels })
    var sep = separateTouchingObjects(inst)
    print("separate", clock.measure { sep = separateTouchingObjects(inst) })
    let mask = sep.objects.values.map { $0 != 0 }
    print("edt full", clock.measure { _ = euclideanDistanceTransform(mask, width: 2048, height: 2048) })
    print("target no w0", clock.measure { _ = makeTrainingTarget(labels: labels, parameters: WeightMapParameters(w0: 0)) })
    print("fg fraction", Double(mask.filter { $0 }.count) / Double(mask.count))
  }
}
