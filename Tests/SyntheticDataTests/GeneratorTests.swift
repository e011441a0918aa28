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

  @Test(arguments: [UInt64(1), 2])
  func nucleiAreBrightAndOftenTouch(seed: UInt64) {
    let (image, labels) = generateSyntheticImage(kind: .nuclei, width: Self.size, height: Self.size, seed: seed)
    let inside = meanIntensity(image, labels) { $0 != 0 }
    let outside = meanIntensity(image, labels) { $0 == 0 }
    #expect(inside > outside + 0.25, "nuclei \(inside) vs background \(outside)")
    // Coverage 0.3 of 65 536 px with radii 6...13 (mean area ≈ 300 px): ≈ 65 nuclei.
    #expect((35...150).contains(Int(labels.maximumLabel)), "\(labels.maximumLabel) nuclei")
    #expect(touchingPairs(labels).count >= 20, "\(touchingPairs(labels).count) touching pairs")
  }

  @Test(arguments: [UInt64(1), 2])
  func cellsAreDarkerThanTheirHaloedBackgroundAndTouch(seed: UInt64) {
    let (image, labels) = generateSyntheticImage(kind: .cells, width: Self.size, height: Self.size, seed: seed)
    let inside = meanIntensity(image, labels) { $0 != 0 }
    let outside = meanIntensity(image, labels) { $0 == 0 }
    #expect(inside < outside - 0.05, "cells \(inside) vs background \(outside)")
    // Coverage 0.45 with radii 12...22 (mean area ≈ 900 px): ≈ 30 cells.
    #expect((12...70).contains(Int(labels.maximumLabel)), "\(labels.maximumLabel) cells")
    #expect(touchingPairs(labels).count >= 15, "\(touchingPairs(labels).count) touching pairs")
  }

  @Test(arguments: [UInt64(1), 2])
  func membranesAreDarkThinAndSeparateEveryCell(seed: UInt64) {
    let (image, labels) = generateSyntheticImage(kind: .membranes, width: Self.size, height: Self.size, seed: seed)
    let cells = meanIntensity(image, labels) { $0 != 0 }
    let membranes = meanIntensity(image, labels) { $0 == 0 }
    #expect(membranes < cells - 0.2, "membranes \(membranes) vs cells \(cells)")
    // Spacing 34 px: (256 / 34)² ≈ 57 whole cells, more with the ones cut by the border.
    #expect((40...110).contains(Int(labels.maximumLabel)), "\(labels.maximumLabel) cells")
    #expect(touchingPairs(labels).isEmpty, "a membrane lies between any two cells")
    // Walls of 2-3 px around cells of ~34 px: perimeter/area ≈ 4/34, so ≈ 8-20 % membrane.
    let membraneFraction = Float(labels.values.count { $0 == 0 }) / Float(labels.values.count)
    #expect(membraneFraction > 0.06 && membraneFraction < 0.25, "membrane fraction \(membraneFraction)")
  }
}
