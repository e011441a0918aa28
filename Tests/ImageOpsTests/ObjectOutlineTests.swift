import ImageOps
import NeuralCore
import Testing

/// Outlines against a naive reference: the even-odd fill of each outline at pixel centres is
/// the 4-connected component of the object's first pixel with its holes filled.
@Suite struct ObjectOutlineTests {
  /// Random labels, dense enough that objects have several components, holes and pinches.
  private func randomLabels(seed: UInt64, width: Int, height: Int, labels: Int, density: Double) -> LabelImage {
    var random = RandomSource(seed: seed)
    let values = (0..<(width * height)).map { _ in
      random.nextUniformDouble() < density ? Int32(random.nextInt(below: labels) + 1) : Int32(0)
    }
    return LabelImage(width: width, height: height, values: values)
  }

  /// Even-odd rule at pixel centres, every polygon edge tested (the naive fill).
  private func filled(_ outline: [GridPoint], width: Int, height: Int) -> [Bool] {
    var inside = [Bool](repeating: false, count: width * height)
    for y in 0..<height {
      for x in 0..<width {
        let (cx, cy) = (Double(x) + 0.5, Double(y) + 0.5)
        var crossings = 0
        for i in outline.indices {
          let a = outline[i], b = outline[(i + 1) % outline.count]
          guard a.y != b.y, cy >= Double(min(a.y, b.y)), cy < Double(max(a.y, b.y)) else { continue }
          let xAt = Double(a.x) + (cy - Double(a.y)) * Double(b.x - a.x) / Double(b.y - a.y)
          if cx < xAt { crossings += 1 }
        }
        inside[y * width + x] = crossings % 2 == 1
      }
    }
    return inside
  }

  /// The 4-connected component of `start` with every pixel not 8-connected to the image's
  /// border through other pixels (its holes) added.
  private func componentWithHoles(_ labels: LabelImage, start: Int) -> [Bool] {
    let (w, h) = (labels.width, labels.height)
    var component = [Bool](repeating: false, count: w * h)
    var stack = [start]
    component[start] = true
    while let p = stack.popLast() {
      let (x, y) = (p % w, p / w)
      for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
      where nx >= 0 && ny >= 0 && nx < w && ny < h && !component[ny * w + nx]
        && labels.values[ny * w + nx] == labels.values[start] {
        component[ny * w + nx] = true
        stack.append(ny * w + nx)
      }
    }
    // Flood the outside on a grid padded by one pixel, 8-connected.
    let (pw, ph) = (w + 2, h + 2)
    var outside = [Bool](repeating: false, count: pw * ph)
    var queue = [0]
    outside[0] = true
    while let p = queue.popLast() {
      let (x, y) = (p % pw, p / pw)
      for dy in -1...1 {
        for dx in -1...1 {
          let (nx, ny) = (x + dx, y + dy)
          guard nx >= 0, ny >= 0, nx < pw, ny < ph, !outside[ny * pw + nx] else { continue }
          let inImage = nx >= 1 && ny >= 1 && nx <= w && ny <= h
          if inImage && component[(ny - 1) * w + nx - 1] { continue }
          outside[ny * pw + nx] = true
          queue.append(ny * pw + nx)
        }
      }
    }
    return (0..<(w * h)).map { !outside[($0 / w + 1) * pw + $0 % w + 1] }
  }

  @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
  func fillIsTheObjectsComponentWithItsHoles(seed: UInt64) {
    let labels = randomLabels(
      seed: seed, width: 19 + Int(seed), height: 13 + Int(seed), labels: 1 + Int(seed % 3), density: 0.55)
    let outlines = labels.objectOutlines
    #expect(outlines.count == Int(labels.maximumLabel) + 1 && outlines[0].isEmpty)
    for label in 1..<outlines.count {
      guard let start = labels.values.firstIndex(of: Int32(label)) else {
        #expect(outlines[label].isEmpty)
        continue
      }
      let fill = filled(outlines[label], width: labels.width, height: labels.height)
      #expect(fill == componentWithHoles(labels, start: start), "label \(label), seed \(seed)")
    }
  }

  /// Objects without holes of one component (single blobs): the fill is exactly their pixels.
  @Test(arguments: [UInt64(11), 12, 13, 14])
  func fillOfABlobIsItsPixels(seed: UInt64) {
    var random = RandomSource(seed: seed)
    let (w, h) = (24, 20)
    var labels = LabelImage(width: w, height: h)
    // A random walk of 3×3 stamps: one connected, mostly hole-free blob.
    var (x, y) = (12, 10)
    for _ in 0..<40 {
      for dy in -1...1 { for dx in -1...1 { labels[y + dy, x + dx] = 1 } }
      x = min(max(x + random.nextInt(below: 3) - 1, 1), w - 2)
      y = min(max(y + random.nextInt(below: 3) - 1, 1), h - 2)
    }
    let start = labels.values.firstIndex(of: 1) ?? 0
    let expected = componentWithHoles(labels, start: start)
    let fill = filled(labels.objectOutlines[1], width: w, height: h)
    #expect(fill == expected)
    if expected == labels.values.map({ $0 == 1 }) { #expect(fill == labels.values.map { $0 == 1 }) }
  }

  @Test func outlineOfARectangleIsItsFourCornersClockwise() {
    var labels = LabelImage(width: 6, height: 5)
    for y in 1...2 { for x in 2...4 { labels[y, x] = 1 } }
    #expect(
      labels.objectOutlines[1] == [
        GridPoint(x: 2, y: 1), GridPoint(x: 5, y: 1), GridPoint(x: 5, y: 3), GridPoint(x: 2, y: 3),
      ])
  }

  @Test func diagonalPartsAreTracedAsTheFirstComponentOnly() {
    // Two pixels touching at a corner: 4-connectivity keeps them apart.
    let labels = LabelImage(width: 2, height: 2, values: [1, 0, 0, 1])
    #expect(
      labels.objectOutlines[1] == [GridPoint(x: 0, y: 0), GridPoint(x: 1, y: 0), GridPoint(x: 1, y: 1), GridPoint(x: 0, y: 1)])
  }
}
