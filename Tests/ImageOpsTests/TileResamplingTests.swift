import ImageOps
import NeuralCore
import Testing

@Suite struct TileResamplingTests {
  @Test(arguments: [(-7, -3), (0, 0), (10, 12), (-20, 30)])
  func cropsMirrorContextPastTheBorder(top: Int, left: Int) {
    var random = RandomSource(seed: 4)
    let image = randomImage(channels: 3, height: 13, width: 17, random: &random)
    let tile = sampleBilinear(image, at: TileTransform.crop(inputSize: 24, top: top, left: left).sourceCoordinates())
    #expect(tile.shape == Shape(channels: 3, height: 24, width: 24))
    for c in 0..<3 {
      for u in 0..<24 {
        for v in 0..<24 {
          let expected = image[c, mirrorIndex(top + u, count: 13), mirrorIndex(left + v, count: 17)]
          #expect(tile[c, u, v] == expected)
        }
      }
    }
  }

  @Test func bilinearMatchesTheNaiveReferenceAnywhere() {
    var random = RandomSource(seed: 8)
    let image = randomImage(channels: 2, height: 9, width: 11, random: &random)
    let size = 10
    let ys = (0..<(size * size)).map { _ in 30 * random.nextUniform() - 10 }
    let xs = (0..<(size * size)).map { _ in 30 * random.nextUniform() - 10 }
    let tile = sampleBilinear(image, at: TileCoordinates(size: size, y: ys, x: xs))
    for c in 0..<2 {
      for p in 0..<(size * size) {
        let expected = ReferenceOps.bilinear(image, channel: c, y: ys[p], x: xs[p])
        #expect(abs(tile.storage[c * size * size + p] - expected) < 1e-5)
      }
    }
  }

  @Test func quarterTurnsAndMirrorsPermutePixelsExactly() {
    var random = RandomSource(seed: 6)
    let image = randomImage(channels: 1, height: 20, width: 20, random: &random)
    let n = 8
    let crop = image.cropped(y0: 3, x0: 5, height: n, width: n)
    func tile(_ matrix: SIMD4<Float>) -> Tensor {
      var transform = TileTransform.crop(inputSize: n, top: 3, left: 5)
      transform.matrix = matrix
      return sampleBilinear(image, at: transform.sourceCoordinates())
    }
    let turned = tile(TileTransform.symmetryMatrix(quarterTurns: 1, mirrored: false))
    let mirrored = tile(TileTransform.symmetryMatrix(quarterTurns: 0, mirrored: true))
    for u in 0..<n {
      for v in 0..<n {
        #expect(turned[0, u, v] == crop[0, v, n - 1 - u])
        #expect(mirrored[0, u, v] == crop[0, u, n - 1 - v])
      }
    }
    #expect(tile(TileTransform.symmetryMatrix(quarterTurns: 4, mirrored: false)) == crop)
    #expect(Set(tile(TileTransform.symmetryMatrix(quarterTurns: 3, mirrored: true)).storage) == Set(crop.storage))
  }

  @Test func nearestPixelsMirrorAndFlagWhatLiesOutside() {
    let coordinates = TileTransform.crop(inputSize: 6, top: -2, left: 1).sourceCoordinates()
    let (indices, inside) = nearestPixels(at: coordinates, offset: 1, size: 4, width: 5, height: 4)
    // Window rows -1...2 and columns 2...5 of a 4×5 image.
    for i in 0..<4 {
      for j in 0..<4 {
        let row = -1 + i
        let column = 2 + j
        #expect(indices[i * 4 + j] == mirrorIndex(row, count: 4) * 5 + mirrorIndex(column, count: 5))
        #expect(inside[i * 4 + j] == (row >= 0 && column < 5))
      }
    }
  }
}
