import ImageOps
import NeuralCore
import Testing

@Suite struct SeparationBordersTests {
  @Test func twoTouchingSquaresComeOutSeparated() {
    // Two 4×4 squares side by side, touching along a vertical line.
    let labels = ReferenceOps.rectangles(width: 12, height: 8, [(1, 2, 2, 4, 4), (2, 2, 6, 4, 4)])
    let target = makeTrainingTarget(labels: labels)
    // Column 6 (object 2's contact column) is cut: a one-pixel gap of background.
    for y in 2..<6 {
      #expect(target.classes[y * 12 + 5] == 1)
      #expect(target.classes[y * 12 + 6] == 0)
      #expect(target.classes[y * 12 + 7] == 1)
      #expect(target.borders[y * 12 + 6])
    }
    // The border is the seam plus one pixel beyond each end (rows 1 and 6).
    #expect(target.borders.filter { $0 }.count == 6)
    #expect(target.borders[1 * 12 + 6] && target.borders[6 * 12 + 6])
    // The foreground splits into exactly two 4-connected (even 8-connected) pieces.
    let (_, pieces) = labelComponents(
      width: 12, height: 8, isMember: { target.classes[$0] == 1 },
      joins: { _, _ in true })
    #expect(pieces == 2)
    #expect(noDifferentObjectsAreEightNeighbours(target.objects))
  }

  @Test func aSingleObjectGetsNoBorder() {
    let labels = ReferenceOps.rectangles(width: 10, height: 10, [(7, 2, 2, 5, 6)])
    #expect(!separationBorders(labels).contains(true))
    let target = makeTrainingTarget(labels: labels)
    #expect(target.classes.filter { $0 == 1 }.count == 30)
  }

  @Test func aOnePixelGapIsABorderWithoutCutting() {
    let labels = ReferenceOps.rectangles(width: 9, height: 5, [(1, 0, 0, 5, 4), (2, 0, 5, 5, 4)])
    let target = makeTrainingTarget(labels: labels)
    #expect(target.classes.filter { $0 == 1 }.count == 40)
    for y in 0..<5 { #expect(target.borders[y * 9 + 4]) }
    #expect(target.borders.filter { $0 }.count == 5)
  }

  @Test func diagonalContactIsCutToo() {
    // 1 at the top-left quadrant, 2 at the bottom-right one: they touch at one corner.
    let labels = ReferenceOps.rectangles(width: 6, height: 6, [(1, 0, 0, 3, 3), (2, 3, 3, 3, 3)])
    let separated = separateTouchingObjects(labels)
    #expect(separated.objects[3, 3] == 0)
    #expect(separated.borders[3 * 6 + 3])
    #expect(noDifferentObjectsAreEightNeighbours(separated.objects))
  }

  @Test func randomPackedObjectsNeverStayInContact() {
    var random = RandomSource(seed: 7)
    var labels = LabelImage(width: 40, height: 30)
    for y in 0..<30 {
      for x in 0..<40 { labels[y, x] = Int32((y / 5) * 8 + x / 5 + 1) }
    }
    // Knock out some pixels so objects have ragged outlines.
    for p in labels.values.indices where random.nextUniform() < 0.1 { labels.values[p] = 0 }
    let target = makeTrainingTarget(labels: labels)
    #expect(noDifferentObjectsAreEightNeighbours(target.objects))
    for p in target.borders.indices where target.borders[p] { #expect(target.classes[p] == 0) }
  }

  private func noDifferentObjectsAreEightNeighbours(_ objects: LabelImage) -> Bool {
    for y in 0..<objects.height {
      for x in 0..<objects.width where objects[y, x] != 0 {
        for ny in max(0, y - 1)...min(objects.height - 1, y + 1) {
          for nx in max(0, x - 1)...min(objects.width - 1, x + 1) {
            let other = objects[ny, nx]
            if other != 0 && other != objects[y, x] { return false }
          }
        }
      }
    }
    return true
  }
}
