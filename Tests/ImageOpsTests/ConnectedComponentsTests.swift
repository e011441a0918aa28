import ImageOps
import Testing

@Suite struct ConnectedComponentsTests {
  @Test func mirrorIndexReflectsWithoutRepeatingTheEdge() {
    let n = 4
    let expected = [0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0]
    #expect((-6...6).map { mirrorIndex($0, count: n) } == expected)
    #expect(mirrorIndex(-5, count: 1) == 0)
  }

  @Test func touchingObjectsWithDifferentLabelsStaySeparate() {
    // 1 1 2
    // 0 0 2
    // 3 0 3   (two pieces of label 3)
    let image = LabelImage(width: 3, height: 3, values: [1, 1, 2, 0, 0, 2, 3, 0, 3])
    let (labels, count) = image.splitIntoConnectedComponents()
    #expect(count == 4)
    #expect(labels.values == [1, 1, 2, 0, 0, 2, 3, 0, 4])
  }
}
