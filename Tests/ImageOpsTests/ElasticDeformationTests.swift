import ImageOps
import NeuralCore
import Testing

@Suite struct ElasticDeformationTests {
  @Test(arguments: [(1, 3), (2, 3), (9, 3), (20, 4), (33, 5)])
  func denseFieldMatchesDirectEvaluation(tileSize: Int, gridSize: Int) {
    var random = RandomSource(seed: UInt64(tileSize))
    let field = ElasticDisplacementField(tileSize: tileSize, gridSize: gridSize, sigma: 10, random: &random)
    let (dy, dx) = field.denseDisplacements()
    for row in 0..<tileSize {
      for column in 0..<tileSize {
        let direct = field.displacement(row: row, column: column)
        #expect(abs(dy[row * tileSize + column] - direct.dy) < 1e-4)
        #expect(abs(dx[row * tileSize + column] - direct.dx) < 1e-4)
      }
    }
  }

  @Test func fieldPassesThroughTheGridNodes() {
    var random = RandomSource(seed: 1)
    let field = ElasticDisplacementField(tileSize: 21, gridSize: 3, sigma: 10, random: &random)
    for i in 0..<3 {
      for j in 0..<3 {
        let value = field.displacement(row: i * 10, column: j * 10)
        #expect(abs(value.dy - field.nodeDY[i * 3 + j]) < 1e-5)
        #expect(abs(value.dx - field.nodeDX[i * 3 + j]) < 1e-5)
      }
    }
  }

  @Test func zeroDisplacementIsTheIdentity() {
    var random = RandomSource(seed: 2)
    let image = randomImage(channels: 2, height: 30, width: 25, random: &random)
    let zero = ElasticDisplacementField(
      tileSize: 16, gridSize: 3, nodeDY: [Float](repeating: 0, count: 9), nodeDX: [Float](repeating: 0, count: 9))
    var transform = TileTransform.crop(inputSize: 16, top: 5, left: 4)
    let plain = sampleBilinear(image, at: transform.sourceCoordinates())
    transform.elastic = zero
    let deformed = sampleBilinear(image, at: transform.sourceCoordinates())
    #expect(deformed == plain)
    #expect(plain == image.cropped(y0: 5, x0: 4, height: 16, width: 16))
  }

  @Test func sameSeedSameFieldAndOtherSeedOtherField() {
    var a = RandomSource(seed: 99)
    var b = RandomSource(seed: 99)
    var c = RandomSource(seed: 100)
    let first = ElasticDisplacementField(tileSize: 40, gridSize: 3, sigma: 10, random: &a)
    #expect(first == ElasticDisplacementField(tileSize: 40, gridSize: 3, sigma: 10, random: &b))
    #expect(first != ElasticDisplacementField(tileSize: 40, gridSize: 3, sigma: 10, random: &c))
  }

  @Test func nodeDisplacementsHaveTheRequestedSpread() {
    var random = RandomSource(seed: 5)
    var sum: Float = 0
    var squares: Float = 0
    for _ in 0..<400 {
      let field = ElasticDisplacementField(tileSize: 8, gridSize: 3, sigma: 10, random: &random)
      for value in field.nodeDY + field.nodeDX {
        sum += value
        squares += value * value
      }
    }
    let n: Float = 400 * 18
    #expect(abs(sum / n) < 0.5)
    #expect(abs((squares / n).squareRoot() - 10) < 0.5)
  }

  @Test func warpedLabelsStayASubsetOfTheInputLabels() {
    var random = RandomSource(seed: 11)
    var labels = LabelImage(width: 40, height: 30)
    for p in labels.values.indices { labels.values[p] = Int32(3 * ((p / 40) / 6 * 7 + (p % 40) / 6)) }
    let present = Set(labels.values)
    for _ in 0..<5 {
      let transform = TileTransform(
        inputSize: 36, centerY: 14.5, centerX: 20,
        matrix: TileTransform.rotationMatrix(angle: 6.28 * random.nextUniform()),
        elastic: ElasticDisplacementField(tileSize: 36, gridSize: 3, sigma: 10, random: &random))
      let (indices, _) = nearestPixels(
        at: transform.sourceCoordinates(), offset: 0, size: 36, width: 40, height: 30)
      let warped = Set(indices.map { labels.values[$0] })
      #expect(warped.isSubset(of: present))
      #expect(warped.count > 5)
    }
  }
}

/// Uniform noise in [0, 1). Built as an array: element-wise writes through `Tensor.storage`
/// copy the whole array each time.
func randomImage(channels: Int, height: Int, width: Int, random: inout RandomSource) -> Tensor {
  let values = (0..<(channels * height * width)).map { _ in random.nextUniform() }
  return Tensor(shape: Shape(channels: channels, height: height, width: width), storage: values)
}
