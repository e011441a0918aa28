import ImageOps
import NeuralCore
import SyntheticData
import Testing

/// Mean image value over the pixels where `include(label)` holds.
func meanIntensity(_ image: Tensor, _ labels: LabelImage, where include: (Int32) -> Bool) -> Float {
  var sum: Float = 0
  var count = 0
  for (value, label) in zip(image.storage, labels.values) where include(label) {
    sum += value
    count += 1
  }
  return count == 0 ? .nan : sum / Float(count)
}

/// Distinct pairs of different objects that are 4-neighbours somewhere.
func touchingPairs(_ labels: LabelImage) -> Set<[Int32]> {
  var pairs = Set<[Int32]>()
  for y in 0..<labels.height {
    for x in 0..<labels.width {
      let a = labels[y, x]
      for (ny, nx) in [(y, x + 1), (y + 1, x)] where ny < labels.height && nx < labels.width {
        let b = labels[ny, nx]
        if a != 0 && b != 0 && a != b { pairs.insert([min(a, b), max(a, b)]) }
      }
    }
  }
  return pairs
}

@Suite struct GeneratorTests {
  static let size = 256

  @Test(arguments: SyntheticKind.allCases)
  func sameSeedSameImageOtherSeedOtherImage(kind: SyntheticKind) {
    let a = generateSyntheticImage(kind: kind, width: 96, height: 80, seed: 3)
    let b = generateSyntheticImage(kind: kind, width: 96, height: 80, seed: 3)
    let c = generateSyntheticImage(kind: kind, width: 96, height: 80, seed: 4)
    #expect(a.image == b.image && a.labels == b.labels)
    #expect(a.image != c.image && a.labels != c.labels)
  }

  @Test(arguments: SyntheticKind.allCases)
  func shapesRangesAndLabelNumbering(kind: SyntheticKind) {
    let (image, labels) = generateSyntheticImage(kind: kind, width: 120, height: 70, seed: 11)
    #expect(image.shape == Shape(channels: 1, height: 70, width: 120))
    #expect(labels.width == 120 && labels.height == 70)
    #expect(image.storage.allSatisfy { $0 >= 0 && $0 <= 1 })
    // Objects are 4-connected and numbered 1...n: splitting changes nothing.
    #expect(labels.splitIntoConnectedComponents().labels == labels)
    #expect(Set(labels.values) == Set(0...labels.maximumLabel))
  }

  /// What each kind's labels must show in its image on 256 × 256: objects brighter
  /// (+1) or darker (−1) than the background by `margin`, an object count, touching pairs.
  struct Expectation: Sendable, CustomStringConvertible {
    var kind: SyntheticKind
    var direction: Float
    var margin: Float
    var objects: ClosedRange<Int>
    var touchingPairs: ClosedRange<Int>
    var description: String { kind.rawValue }
  }

  static let expectations = [
    // Coverage 0.3 of 65 536 px with radii 6...13 (mean area ≈ 300 px): ≈ 65 nuclei,
    // placed against each other 60 % of the time.
    Expectation(kind: .nuclei, direction: 1, margin: 0.25, objects: 35...150, touchingPairs: 20...500),
    // Low-contrast interiors darker than the haloed background; coverage 0.45 with radii
    // 12...22 (mean area ≈ 900 px): ≈ 30 cells, mostly in colonies.
    Expectation(kind: .cells, direction: -1, margin: 0.05, objects: 12...70, touchingPairs: 15...500),
    // Dark membranes as background; spacing 34 px: (256 / 34)² ≈ 57 whole cells, more with
    // those cut by the border, and a membrane between any two.
    Expectation(kind: .membranes, direction: 1, margin: 0.2, objects: 40...110, touchingPairs: 0...0),
  ]

  @Test(arguments: expectations, [UInt64(1), 2])
  func labelsMarkTheStructuresOfTheImage(expected: Expectation, seed: UInt64) {
    let (image, labels) = generateSyntheticImage(
      kind: expected.kind, width: Self.size, height: Self.size, seed: seed)
    let inside = meanIntensity(image, labels) { $0 != 0 }
    let outside = meanIntensity(image, labels) { $0 == 0 }
    #expect(expected.direction * (inside - outside) > expected.margin, "objects \(inside), background \(outside)")
    #expect(expected.objects.contains(Int(labels.maximumLabel)), "\(labels.maximumLabel) objects")
    let touching = touchingPairs(labels).count
    #expect(expected.touchingPairs.contains(touching), "\(touching) touching pairs")
  }

  @Test(arguments: [UInt64(1), 2])
  func membranesAreThin(seed: UInt64) {
    let labels = generateSyntheticImage(kind: .membranes, width: Self.size, height: Self.size, seed: seed).labels
    // Walls of 2-3 px around cells of ~34 px: perimeter/area ≈ 4/34, so ≈ 8-20 % membrane.
    let membraneFraction = Float(labels.values.count { $0 == 0 }) / Float(labels.values.count)
    #expect(membraneFraction > 0.06 && membraneFraction < 0.25, "membrane fraction \(membraneFraction)")
  }
}
