import ImageOps
import NeuralCore
import Segmentation
import Testing

@Suite struct MirroredWindowTests {
  @Test func naiveMirrorReflectsWithoutRepeatingTheEdge() {
    // For n = 4 the line continues ..., 1, 2, 3, 2, [0, 1, 2, 3], 2, 1, 0, 1, 2, ...
    #expect((-5...8).map { naiveMirror($0, count: 4) } == [1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2])
  }

  @Test func mirrorIndexMatchesTheWalkIncludingRepeatedReflection() {
    for n in 1...6 {
      for i in -40...40 { #expect(mirrorIndex(i, count: n) == naiveMirror(i, count: n), "i \(i) n \(n)") }
    }
  }

  @Test(arguments: [(1, 1), (1, 7), (7, 1), (3, 5), (8, 8), (2, 3)])
  func windowEqualsNaiveMirrorPadding(height: Int, width: Int) {
    let image = randomImage(channels: 2, height: height, width: width, seed: UInt64(height * 31 + width))
    // Windows inside, across each border, and far larger than the image (repeated reflection).
    let windows = [(0, 0, height, width), (-3, -2, 9, 7), (-20, -17, 45, 41), (height - 2, width - 1, 6, 5), (5, -9, 4, 3)]
    for (y0, x0, h, w) in windows {
      let window = image.mirroredWindow(y0: y0, x0: x0, height: h, width: w)
      #expect(window.shape == Shape(channels: 2, height: h, width: w))
      var matches = true
      for c in 0..<2 {
        for y in 0..<h {
          for x in 0..<w {
            let expected = image[c, naiveMirror(y0 + y, count: height), naiveMirror(x0 + x, count: width)]
            if window[c, y, x] != expected { matches = false }
          }
        }
      }
      #expect(matches, "window (\(y0), \(x0)) \(h)×\(w) of \(height)×\(width)")
    }
  }

  @Test func handCheckedRow() {
    let row = Tensor(shape: Shape(channels: 1, height: 1, width: 3), storage: [10, 20, 30])
    let window = row.mirroredWindow(y0: -1, x0: -4, height: 2, width: 10)
    // Columns −4...5 map to 0, 1, 2, 1, 0, 1, 2, 1, 0, 1 (period 4); both rows are row 0.
    let line: [Float] = [10, 20, 30, 20, 10, 20, 30, 20, 10, 20]
    #expect(window.storage == line + line)
  }
}
