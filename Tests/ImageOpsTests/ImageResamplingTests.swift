import ImageOps
import NeuralCore
import Testing

/// `resampled` (whole images to another pixel grid) against a direct 2D evaluation of its
/// definition, and the properties the pixel-size handling relies on.
@Suite struct ImageResamplingTests {
  /// The definition written out per output pixel in 2D: a weighted mean under the product of
  /// two triangle filters of half-width max(1, 1/scale), centres aligned, borders reflected with
  /// the edge pixel repeated.
  static func naive(_ image: Tensor, height: Int, width: Int) -> Tensor {
    var out = Tensor(channels: image.channels, height: height, width: width)
    let (sy, sx) = (Double(height) / Double(image.height), Double(width) / Double(image.width))
    let (hy, hx) = (max(1, 1 / sy), max(1, 1 / sx))
    for c in 0..<image.channels {
      for i in 0..<height {
        for j in 0..<width {
          let (cy, cx) = ((Double(i) + 0.5) / sy - 0.5, (Double(j) + 0.5) / sx - 0.5)
          var (sum, total) = (0.0, 0.0)
          for u in Int((cy - hy).rounded(.down))...Int((cy + hy).rounded(.up)) {
            for v in Int((cx - hx).rounded(.down))...Int((cx + hx).rounded(.up)) {
              let w = max(0, 1 - abs(Double(u) - cy) / hy) * max(0, 1 - abs(Double(v) - cx) / hx)
              guard w > 0 else { continue }
              sum += w * Double(image[c, Self.reflected(u, image.height), Self.reflected(v, image.width)])
              total += w
            }
          }
          out[c, i, j] = Float(sum / total)
        }
      }
    }
    return out
  }

  /// ..., 1, 0, [0, 1, ..., n-1], n-1, n-2, ... written out step by step.
  static func reflected(_ i: Int, _ n: Int) -> Int {
    var i = i
    while i < 0 || i >= n { i = i < 0 ? -i - 1 : 2 * n - 1 - i }
    return i
  }

  @Test(arguments: [(20, 30), (5, 7), (40, 17), (13, 13), (1, 3)])
  func matchesTheNaiveDefinition(height: Int, width: Int) {
    var random = RandomSource(seed: 11)
    let image = randomImage(channels: 2, height: 13, width: 17, random: &random)
    let fast = resampled(image, height: height, width: width)
    let reference = Self.naive(image, height: height, width: width)
    #expect(fast.shape == reference.shape)
    let worst = zip(fast.storage, reference.storage).map { abs($0 - $1) }.max() ?? 0
    #expect(worst < 1e-5, "largest difference \(worst)")
  }

  @Test func sameSizeIsTheIdentityAndConstantsStayConstant() {
    var random = RandomSource(seed: 3)
    let image = randomImage(channels: 1, height: 9, width: 12, random: &random)
    #expect(resampled(image, height: 9, width: 12) == image)
    let constant = Tensor(channels: 3, height: 10, width: 14, repeating: 0.375)
    for (h, w) in [(5, 7), (23, 31), (10, 3)] {
      let out = resampled(constant, height: h, width: w)
      #expect(out.storage.allSatisfy { abs($0 - 0.375) < 1e-6 })
    }
  }

  @Test func enlargingIsBilinearAndHalvingAveragesPairs() {
    // Enlarging by 2: output pixel 2i+1/2 ± 1/4 lies a quarter pixel from input i.
    let row = Tensor(shape: Shape(channels: 1, height: 1, width: 4), storage: [0, 4, 8, 12])
    let enlarged = resampled(row, height: 1, width: 8)
    #expect(enlarged.storage == [0, 1, 3, 5, 7, 9, 11, 12])
    // Halving a ramp: the triangle filter averages 4 pixels 1:3:3:1 (edge pixels repeated).
    let ramp = Tensor(shape: Shape(channels: 1, height: 1, width: 8), storage: (0..<8).map { Float($0) })
    let halved = resampled(ramp, height: 1, width: 4)
    #expect(halved.storage.map { ($0 * 8).rounded() / 8 } == [0.625, 2.5, 4.5, 6.375])
  }

  @Test func shrinkingDoesNotAlias() {
    // A one-pixel checkerboard has no content at half resolution: it must become flat grey,
    // where point sampling would return one of its colours.
    let size = 16
    let board = Tensor(
      shape: Shape(channels: 1, height: size, width: size),
      storage: (0..<(size * size)).map { Float(($0 / size + $0 % size) % 2) })
    let half = resampled(board, height: size / 2, width: size / 2)
    #expect(half.storage.allSatisfy { abs($0 - 0.5) < 0.13 }, "\(half.storage.prefix(8))")
  }

  @Test func labelsTakeTheNearestValue() {
    let labels = LabelImage(width: 3, height: 2, values: [1, 2, 3, 4, 5, 6])
    let doubled = resampledNearest(labels, height: 4, width: 6)
    #expect(doubled.values == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6])
    let halved = resampledNearest(doubled, height: 2, width: 3)
    #expect(halved == labels)
    #expect(resampledNearest(labels, height: 2, width: 3) == labels)
  }

  @Test func countsKeepTheFieldOfView() {
    #expect(resampledCount(100, pixelSize: 0.5, targetPixelSize: 1) == 50)
    #expect(resampledCount(101, pixelSize: 0.5, targetPixelSize: 1) == 51)
    #expect(resampledCount(3, pixelSize: 1, targetPixelSize: 0.25) == 12)
    #expect(resampledCount(1, pixelSize: 0.1, targetPixelSize: 1) == 1)
  }
}
