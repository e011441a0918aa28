import ImageOps
import NeuralCore
import Testing

@Suite struct DistanceTransformTests {
  @Test(arguments: [(1, 1), (1, 9), (9, 1), (7, 5), (16, 16), (23, 11)], [0.02, 0.2, 0.7])
  func matchesBruteForceOnRandomMasks(size: (Int, Int), density: Double) {
    let (width, height) = size
    var random = RandomSource(seed: UInt64(width * 1000 + height) &+ UInt64(density * 100))
    for _ in 0..<5 {
      let mask = (0..<(width * height)).map { _ in random.nextUniformDouble() < density }
      let fast = euclideanDistanceTransform(mask, width: width, height: height)
      let slow = ReferenceOps.bruteForceDistances(mask, width: width, height: height)
      for p in fast.indices {
        #expect(fast[p] == slow[p] || abs(fast[p] - slow[p]) < 1e-5, "pixel \(p) of \(width)×\(height)")
      }
    }
  }

  @Test func emptyMaskIsInfinitelyFar() {
    let distances = euclideanDistanceTransform([Bool](repeating: false, count: 12), width: 4, height: 3)
    #expect(distances.allSatisfy { $0 == .infinity })
  }

  @Test func singlePixelGivesHandCheckedDistances() {
    // Feature at (1, 1) of a 3×4 image (x = 1, y = 1).
    var mask = [Bool](repeating: false, count: 12)
    mask[1 * 4 + 1] = true
    let squared = squaredEuclideanDistanceTransform(mask, width: 4, height: 3)
    #expect(squared == [2, 1, 2, 5, 1, 0, 1, 4, 2, 1, 2, 5])
  }
}
