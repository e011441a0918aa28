import NeuralCore
import Segmentation
import Testing

@Suite struct TestTimeAugmentationTests {
  @Test func transformsFollowTheDocumentedMapAndInvert() {
    let n = 5
    let tile = randomImage(channels: 2, height: n, width: n, seed: 11)
    var images: [[Float]] = []
    for g in DihedralTransform.all {
      let transformed = g.apply(to: tile)
      for c in 0..<2 {
        for y in 0..<n {
          for x in 0..<n {
            let (a, b) = g.transposed ? (x, y) : (y, x)
            let sy = g.flipRows ? n - 1 - a : a
            let sx = g.flipColumns ? n - 1 - b : b
            #expect(transformed[c, y, x] == tile[c, sy, sx], "\(g) at (\(c), \(y), \(x))")
          }
        }
      }
      #expect(g.inverse(of: transformed) == tile, "\(g)")
      images.append(transformed.storage)
    }
    #expect(Set(images.map { $0.map(\.bitPattern) }).count == 8, "the 8 transforms are distinct")
  }

  @Test func handCheckedTransposeAndFlip() {
    let tile = Tensor(shape: Shape(channels: 1, height: 2, width: 2), storage: [1, 2, 3, 4])
    #expect(DihedralTransform(transposed: true, flipRows: false, flipColumns: false).apply(to: tile).storage == [1, 3, 2, 4])
    #expect(DihedralTransform(transposed: false, flipRows: true, flipColumns: false).apply(to: tile).storage == [3, 4, 1, 2])
    // Transpose then flip rows: a clockwise rotation by 90°.
    #expect(DihedralTransform(transposed: true, flipRows: true, flipColumns: false).apply(to: tile).storage == [3, 1, 4, 2])
  }

  /// The 8 dihedral images of a (2m+1)² kernel per channel, built by plain rotation and
  /// transposition (independently of `DihedralTransform`).
  private func dihedralKernels(of predictor: WindowPredictor) -> [(Int, Int, Int) -> Double] {
    var kernels: [(Int, Int, Int) -> Double] = []
    for transposed in [false, true] {
      for quarterTurns in 0..<4 {
        kernels.append { c, dy, dx in
          var (u, v) = (dy, dx)
          for _ in 0..<quarterTurns { (u, v) = (-v, u) }
          if transposed { (u, v) = (v, u) }
          return predictor.weight(c, u, v)
        }
      }
    }
    return kernels
  }

  @Test func symmetricNetworkGivesTheSameMapWithAndWithoutAugmentation() throws {
    let random = WindowPredictor(inputChannels: 2, margin: 3, seed: 21)
    let side = 7
    var weights = [Double](repeating: 0, count: 2 * side * side)
    let kernels = dihedralKernels(of: random)
    for c in 0..<2 {
      for dy in -3...3 {
        for dx in -3...3 { weights[(c * side + dy + 3) * side + dx + 3] = kernels.map { $0(c, dy, dx) }.reduce(0, +) / 8 }
      }
    }
    let symmetric = WindowPredictor(inputChannels: 2, margin: 3, weights: weights)
    let image = randomImage(channels: 2, height: 19, width: 14, seed: 4)
    let plain = try OverlapTileSegmenter(predictor: symmetric, outputTileSize: 8).segment(image)
    let augmented = try OverlapTileSegmenter(predictor: symmetric, outputTileSize: 8, testTimeAugmentation: true).segment(image)
    #expect(maxAbsDifference(plain.storage, augmented.storage) <= 1e-5)
  }

  @Test(arguments: [4, 12])
  func augmentationAveragesTheEightTransformedPredictions(tile: Int) throws {
    let predictor = WindowPredictor(inputChannels: 2, margin: 3, seed: 22)
    let image = randomImage(channels: 2, height: 11, width: 17, seed: 8)
    // Predicting on g(tile) and mapping back is the kernel w∘g applied to the image.
    let perTransform = dihedralKernels(of: predictor).map {
      naiveWindowPrediction(image, margin: 3, bias: predictor.bias, kernel: $0)
    }
    let expected = (0..<(11 * 17)).map { i in perTransform.map { $0[i] }.reduce(0, +) / 8 }
    let augmented = try OverlapTileSegmenter(predictor: predictor, outputTileSize: tile, testTimeAugmentation: true).segment(image)
    #expect(maxAbsDifference(augmented.storage, expected) <= 1e-5)
    let plain = try OverlapTileSegmenter(predictor: predictor, outputTileSize: tile).segment(image)
    #expect(maxAbsDifference(plain.storage, expected) > 1e-3, "the augmentation must change something")
  }
}
