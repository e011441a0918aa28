import ImageOps
import NeuralCore
import Segmentation
import Testing

@Suite struct InstanceLabelsTests {
  /// A 1×H×W probability map from rows of text: '#' 0.9, digits d → d/10, '.' 0.05.
  private func probabilityMap(_ rows: [String]) -> Tensor {
    let height = rows.count
    let width = rows[0].count
    var map = Tensor(channels: 1, height: height, width: width)
    for (y, row) in rows.enumerated() {
      for (x, character) in row.enumerated() {
        map[0, y, x] = character == "#" ? 0.9 : character == "." ? 0.05 : Float(character.wholeNumberValue ?? 0) / 10
      }
    }
    return map
  }

  @Test func maskThresholdsStrictlyAbove() {
    let map = Tensor(shape: Shape(channels: 1, height: 1, width: 4), storage: [0.2, 0.5, 0.51, 1])
    #expect(foregroundMask(map) == [0, 0, 255, 255])
    #expect(foregroundMask(map, threshold: 0.1) == [255, 255, 255, 255])
  }

  static let touchingSquares = [
    "............",
    ".####32####.",
    ".####32####.",
    ".####32####.",
    "............",
  ]

  @Test func touchingObjectsSeparatedByABorderAreTwoLabels() {
    let (labels, count) = instanceLabels(probability: probabilityMap(Self.touchingSquares), growInstances: false)
    #expect(count == 2)
    #expect(labels[1, 1] == 1 && labels[3, 4] == 1 && labels[1, 7] == 2 && labels[3, 10] == 2)
    #expect(labels[2, 5] == 0 && labels[2, 6] == 0)
    #expect(labels.values.filter { $0 != 0 }.count == 24)
  }

  @Test func growthGivesTheBorderBackToTheObjectsItSeparates() {
    let (labels, count) = instanceLabels(probability: probabilityMap(Self.touchingSquares), growthThreshold: 0.5)
    #expect(count == 2)
    for y in 1...3 {
      #expect(labels[y, 5] == 1 && labels[y, 6] == 2, "row \(y)")
    }
    // Only the border is given back: the outlines stay where the mask put them.
    #expect(labels.values.filter { $0 == 1 }.count == 15 && labels.values.filter { $0 == 2 }.count == 15)
    #expect(labels[0, 5] == 0 && labels[4, 6] == 0 && labels[2, 0] == 0 && labels[2, 11] == 0)
  }

  @Test func aThreePixelGapIsFilledOnlyWithRadiusThreeAlongTheWatershed() {
    let map = probabilityMap([
      ".........",
      ".##312##.",
      ".##312##.",
      ".........",
    ])
    let unchanged = instanceLabels(probability: map, growInstances: false).labels
    #expect(instanceLabels(probability: map, growthRadius: 2, growthThreshold: 0.5).labels == unchanged)
    let grown = instanceLabels(probability: map, growthRadius: 3, growthThreshold: 0.5).labels
    // Each side takes its neighbour; the middle (least probable) pixel goes to the side whose
    // flood reaches it first, the more probable one (0.3 beats 0.2).
    for y in 1...2 {
      #expect(grown[y, 3] == 1 && grown[y, 4] == 1 && grown[y, 5] == 2, "row \(y)")
    }
    // Row by row the more probable side claims the middle first.
    let mixed = instanceLabels(
      probability: probabilityMap([".##312##.", ".##213##."]), growthRadius: 3, growthThreshold: 0.5
    ).labels
    #expect(mixed[0, 4] == 1 && mixed[1, 4] == 2)
  }

  @Test func objectsFarApartAreNotGrown() {
    let map = probabilityMap([
      "..............",
      ".3##2.4...3##.",
      ".####..4..###.",
      "..............",
    ])
    let (labels, count) = instanceLabels(probability: map, growthThreshold: 0.5)
    #expect(count == 2)
    #expect(labels == instanceLabels(probability: map, growInstances: false).labels)
  }

  /// Hysteresis: rims above `growthThreshold` join the object they touch, also an isolated
  /// object's; pixels below it, or cut off from every object by them, stay background, and
  /// no object is merged with another.
  @Test func rimsAboveTheGrowthThresholdAreGrownInto() {
    let map = probabilityMap([
      "...............",
      ".4##4.....4....",
      ".4##42##4.44...",
      "..44..##.......",
      "...............",
    ])
    let (labels, count) = instanceLabels(probability: map, growthThreshold: 0.3)
    #expect(count == 2)
    #expect(labels[1, 1] == 1 && labels[1, 4] == 1 && labels[2, 1] == 1 && labels[3, 2] == 1 && labels[3, 3] == 1)
    #expect(labels[2, 8] == 2 && labels[2, 4] == 1 && labels[2, 5] != 0, "rims join their object, the border is shared")
    #expect(labels[1, 10] == 0 && labels[2, 10] == 0 && labels[2, 11] == 0, "rim pixels cut off from objects stay")
    let bordersOnly = instanceLabels(probability: map, growthThreshold: 0.5).labels
    #expect(bordersOnly[1, 1] == 0 && bordersOnly[3, 2] == 0 && bordersOnly[2, 8] == 0)
  }

  /// Random touching disks with their contact borders lowered; growth checked against a naive
  /// per-object breadth-first search for the border pixels.
  @Test(arguments: [1, 2, 3], [Float(0.5), 0.3])
  func growthMatchesNaiveBorderPixels(radius: Int, growthThreshold: Float) {
    let (width, height) = (48, 40)
    var random = RandomSource(seed: UInt64(radius))
    var owner = [Int](repeating: 0, count: width * height)
    for disk in 1...14 {
      let (cy, cx, r) = (random.nextInt(below: height), random.nextInt(below: width), 3 + random.nextInt(below: 5))
      for y in max(0, cy - r)..<min(height, cy + r + 1) {
        for x in max(0, cx - r)..<min(width, cx + r + 1) where (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r {
          owner[y * width + x] = disk
        }
      }
    }
    var map = Tensor(channels: 1, height: height, width: width)
    for y in 0..<height {
      for x in 0..<width where owner[y * width + x] != 0 {
        var touches = false
        for (dy, dx) in [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)] {
          let (ny, nx) = (y + dy, x + dx)
          if ny >= 0 && ny < height && nx >= 0 && nx < width && owner[ny * width + nx] != 0
            && owner[ny * width + nx] != owner[y * width + x]
          {
            touches = true
          }
        }
        map[0, y, x] = touches ? random.nextUniform() * 0.4 : 0.6 + random.nextUniform() * 0.4
      }
    }
    let (plain, count) = instanceLabels(probability: map, growInstances: false)
    let (grown, grownCount) = instanceLabels(
      mask: foregroundMask(map), probability: map, growthRadius: radius, growthThreshold: growthThreshold)
    #expect(grownCount == count && count >= 2)

    // Naive: distance from each object through background, one BFS per object.
    var reachedBy = [Int](repeating: 0, count: width * height)
    for object in 1...count {
      var distance = [Int](repeating: Int.max, count: width * height)
      var queue = (0..<(width * height)).filter { plain.values[$0] == Int32(object) }
      for p in queue { distance[p] = 0 }
      var head = 0
      while head < queue.count {
        let p = queue[head]
        head += 1
        let (y, x) = (p / width, p % width)
        for (ny, nx) in [(y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)] where ny >= 0 && ny < height && nx >= 0 && nx < width {
          let q = ny * width + nx
          if plain.values[q] == 0 && distance[q] == Int.max && distance[p] < radius {
            distance[q] = distance[p] + 1
            queue.append(q)
            reachedBy[q] += 1
          }
        }
      }
    }
    let border = (0..<(width * height)).map {
      plain.values[$0] == 0 && (reachedBy[$0] >= 2 || map.storage[$0] > growthThreshold)
    }
    // Border (and rim) pixels connected to an object through such pixels.
    let reachable = labelComponents(width: width, height: height, isMember: { plain.values[$0] != 0 || border[$0] })
    var reachableComponent = Set<Int32>()
    for p in 0..<(width * height) where plain.values[p] != 0 { reachableComponent.insert(reachable.labels.values[p]) }
    for p in 0..<(width * height) {
      if plain.values[p] != 0 {
        #expect(grown.values[p] == plain.values[p], "object pixels keep their label")
      } else if border[p] && reachableComponent.contains(reachable.labels.values[p]) {
        #expect(grown.values[p] != 0, "border pixel \(p) not given back")
      } else {
        #expect(grown.values[p] == 0, "pixel \(p) is not a border pixel")
      }
    }
    #expect(grown.splitIntoConnectedComponents().count == count, "every object stays one connected piece")
    #expect(grown.values.filter { $0 != 0 }.count > plain.values.filter { $0 != 0 }.count)
  }
}
