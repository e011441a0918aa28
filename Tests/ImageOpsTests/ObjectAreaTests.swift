import ImageOps
import NeuralCore
import Testing

@Suite struct ObjectAreaTests {
  /// Random labels 0...n with some labels unused.
  private func randomLabels(seed: UInt64, width: Int = 23, height: Int = 17, labels: Int = 9) -> LabelImage {
    var random = RandomSource(seed: seed)
    let values = (0..<(width * height)).map { _ in
      random.nextUniform() < 0.4 ? Int32(0) : Int32(random.nextInt(below: labels) + 1)
    }
    return LabelImage(width: width, height: height, values: values)
  }

  @Test(arguments: [UInt64(1), 2, 3])
  func areasCountEveryLabel(seed: UInt64) {
    let labels = randomLabels(seed: seed)
    let areas = labels.objectAreas
    #expect(areas.count == Int(labels.maximumLabel) + 1)
    for label in 1..<areas.count {
      #expect(areas[label] == labels.values.filter { $0 == Int32(label) }.count)
    }
    #expect(areas[0] == 0, "the background is not counted")
  }

  /// Against a naive reference: keep the labels with enough pixels, renumber in order.
  @Test(arguments: [0, 1, 20, 40, 1000])
  func smallObjectsBecomeBackgroundAndTheRestAreRenumbered(minimumArea: Int) {
    let labels = randomLabels(seed: UInt64(minimumArea) + 7)
    let kept = (1...Int(labels.maximumLabel)).filter { label in
      labels.values.filter { $0 == Int32(label) }.count >= minimumArea
    }
    var expected = labels
    for i in expected.values.indices where expected.values[i] != 0 {
      expected.values[i] = kept.firstIndex(of: Int(expected.values[i])).map { Int32($0 + 1) } ?? 0
    }
    let (result, count) = labels.removingObjects(smallerThan: minimumArea)
    #expect(result == expected)
    #expect(count == kept.count)
  }
}
