import NeuralCore
import Testing

@Suite struct TensorTests {
  @Test func offsetsAreRowMajorCHW() {
    let shape = Shape(channels: 2, height: 3, width: 4)
    #expect(shape.offset(channel: 1, y: 2, x: 3) == 23)
    #expect(shape.count == 24)
  }

  @Test func cropTakesTheWindowOfEveryChannel() {
    var t = Tensor(channels: 2, height: 3, width: 3)
    for i in 0..<t.storage.count { t.storage[i] = Float(i) }
    let c = t.cropped(y0: 1, x0: 1, height: 2, width: 2)
    #expect(c.storage == [4, 5, 7, 8, 13, 14, 16, 17])
  }

  @Test func randomSourceIsDeterministicAndGaussianHasUnitMoments() {
    var a = RandomSource(seed: 42)
    var b = RandomSource(seed: 42)
    #expect(a.next() == b.next())
    var sum = 0.0
    var sumSquares = 0.0
    let n = 200_000
    for _ in 0..<n {
      let g = Double(a.nextGaussian())
      sum += g
      sumSquares += g * g
    }
    let mean = sum / Double(n)
    let variance = sumSquares / Double(n) - mean * mean
    #expect(abs(mean) < 0.01)
    #expect(abs(variance - 1) < 0.02)
  }
}
