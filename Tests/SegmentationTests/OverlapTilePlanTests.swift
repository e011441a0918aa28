import Segmentation
import Testing

@Suite struct OverlapTilePlanTests {
  /// Counts how often each pixel is written and checks every tile's geometry.
  private func checkPlan(width: Int, height: Int, tile: Int, alignment: Int) {
    let plan = OverlapTilePlan(imageWidth: width, imageHeight: height, outputTileSize: tile, margin: 3, alignment: alignment)
    var writes = [Int](repeating: 0, count: width * height)
    for t in plan.tiles {
      #expect(t.outputY >= 0 && t.outputX >= 0)
      #expect(t.outputY % alignment == 0 && t.outputX % alignment == 0, "origin off the alignment grid")
      #expect(t.writeRows.lowerBound >= t.outputY && t.writeRows.upperBound <= t.outputY + tile)
      #expect(t.writeColumns.lowerBound >= t.outputX && t.writeColumns.upperBound <= t.outputX + tile)
      #expect(!t.writeRows.isEmpty && !t.writeColumns.isEmpty)
      // A tile reaches past the image only when it must: by < alignment, or when it alone covers the axis.
      #expect(t.outputY + tile <= height + alignment - 1 || height <= tile)
      #expect(t.outputX + tile <= width + alignment - 1 || width <= tile)
      for y in t.writeRows {
        for x in t.writeColumns { writes[y * width + x] += 1 }
      }
    }
    #expect(writes.allSatisfy { $0 == 1 }, "\(width)×\(height) tile \(tile) alignment \(alignment): not covered exactly once")
  }

  @Test(arguments: [1, 4])
  func everyPixelIsWrittenExactlyOnce(alignment: Int) {
    for width in [1, 2, 5, 13, 40] {
      for height in [1, 3, 17, 40] {
        for tile in [4, 6, 7, 10, 16, 50] where tile >= alignment {
          checkPlan(width: width, height: height, tile: tile, alignment: alignment)
        }
      }
    }
  }

  @Test func lastTileShiftsBackInsideWithoutAlignment() {
    let plan = OverlapTilePlan(imageWidth: 10, imageHeight: 1, outputTileSize: 4, margin: 2)
    #expect(plan.tiles.map(\.outputX) == [0, 4, 6])
    #expect(plan.tiles.map(\.writeColumns) == [0..<4, 4..<6, 6..<10])
    #expect(plan.tiles.allSatisfy { $0.outputY == 0 && $0.writeRows == 0..<1 })
    #expect(plan.inputTileSize == 8)
  }

  @Test func alignedTilesOverlapAndTheLastIsCropped() {
    // T = 6 with alignment 4: stride 4; last origin = first multiple of 4 ≥ 13 − 6 = 7, i.e. 8.
    let plan = OverlapTilePlan(imageWidth: 13, imageHeight: 13, outputTileSize: 6, margin: 10, alignment: 4)
    let columns = plan.tiles.filter { $0.outputY == 0 }
    #expect(columns.map(\.outputX) == [0, 4, 8])
    #expect(columns.map(\.writeColumns) == [0..<4, 4..<8, 8..<13])
    #expect(plan.tiles.count == 9)
  }

  @Test func imageSmallerThanOneTileIsOneCroppedTile() {
    let plan = OverlapTilePlan(imageWidth: 3, imageHeight: 2, outputTileSize: 8, margin: 6, alignment: 4)
    #expect(plan.tiles.count == 1)
    #expect(plan.tiles[0].writeRows == 0..<2 && plan.tiles[0].writeColumns == 0..<3)
  }
}
