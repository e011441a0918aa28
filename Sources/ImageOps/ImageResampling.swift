import NeuralCore

/// Resampling whole images to another pixel grid, for images whose physical pixel size differs
/// from the one a model was trained at (Protocol/README.md, "Pixel size").
///
/// Pixel centres are aligned: output pixel i covers input position (i + 0.5) / s − 0.5 with
/// s = output size / input size per axis. Values are a weighted mean under a triangle (linear)
/// filter of half-width max(1, 1/s) input pixels: plain bilinear interpolation when enlarging,
/// and an area-weighted average when shrinking, so a finer image is not aliased on its way to a
/// coarser grid. Positions outside the image are reflected with the edge pixel repeated
/// (`symmetricIndex`), so edge values are kept when enlarging. Separable: rows first, then
/// columns.

/// Reflection about the image's edges with the edge pixel repeated (numpy's "symmetric"):
/// for n = 3, ..., 1, 0, [0, 1, 2], 2, 1, ... Unlike `mirrorIndex` (the paper's context
/// extrapolation) the edge value is its own neighbour, so resampling keeps it.
func symmetricIndex(_ i: Int, count n: Int) -> Int {
  let period = 2 * n
  var m = i % period
  if m < 0 { m += period }
  return m < n ? m : period - 1 - m
}

/// The taps of one output position along one axis: input indices and normalised weights.
struct ResamplingTaps: Equatable {
  var indices: [Int]
  var weights: [Float]
}

/// The taps of every output position along an axis of `inputCount` → `outputCount` pixels.
func resamplingTaps(inputCount: Int, outputCount: Int) -> [ResamplingTaps] {
  precondition(inputCount > 0 && outputCount > 0, "resamplingTaps: empty axis \(inputCount) -> \(outputCount)")
  let scale = Double(outputCount) / Double(inputCount)
  let halfWidth = max(1, 1 / scale)
  return (0..<outputCount).map { i in
    let centre = (Double(i) + 0.5) / scale - 0.5
    let first = Int((centre - halfWidth).rounded(.up))
    let last = Int((centre + halfWidth).rounded(.down))
    var indices: [Int] = []
    var weights: [Double] = []
    for j in first...last {
      let weight = 1 - abs(Double(j) - centre) / halfWidth
      guard weight > 0 else { continue }
      indices.append(symmetricIndex(j, count: inputCount))
      weights.append(weight)
    }
    let total = weights.reduce(0, +)
    return ResamplingTaps(indices: indices, weights: weights.map { Float($0 / total) })
  }
}

/// `image` (C×H×W) resampled to C×`height`×`width` (see above); the same tensor when the size
/// does not change.
public func resampled(_ image: Tensor, height: Int, width: Int) -> Tensor {
  precondition(height > 0 && width > 0, "resampled: empty target \(width)x\(height)")
  if height == image.height && width == image.width { return image }
  let rows = resamplingTaps(inputCount: image.height, outputCount: height)
  let columns = resamplingTaps(inputCount: image.width, outputCount: width)
  let (inputHeight, inputWidth) = (image.height, image.width)
  var output = [Float](repeating: 0, count: image.channels * height * width)
  var horizontal = [Float](repeating: 0, count: inputHeight * width)
  image.storage.withUnsafeBufferPointer { source in
    for c in 0..<image.channels {
      let plane = c * inputHeight * inputWidth
      // Along x for every input row, then along y for every output row.
      for y in 0..<inputHeight {
        let row = plane + y * inputWidth
        for (x, taps) in columns.enumerated() {
          var sum: Float = 0
          for (index, weight) in zip(taps.indices, taps.weights) { sum += weight * source[row + index] }
          horizontal[y * width + x] = sum
        }
      }
      let target = c * height * width
      for (y, taps) in rows.enumerated() {
        for x in 0..<width {
          var sum: Float = 0
          for (index, weight) in zip(taps.indices, taps.weights) { sum += weight * horizontal[index * width + x] }
          output[target + y * width + x] = sum
        }
      }
    }
  }
  return Tensor(shape: Shape(channels: image.channels, height: height, width: width), storage: output)
}

/// `labels` on a `height`×`width` grid, each output pixel taking the label at the input
/// position its centre falls on (labels are identities: they cannot be averaged).
public func resampledNearest(_ labels: LabelImage, height: Int, width: Int) -> LabelImage {
  precondition(height > 0 && width > 0, "resampledNearest: empty target \(width)x\(height)")
  if height == labels.height && width == labels.width { return labels }
  func source(_ i: Int, from inputCount: Int, to outputCount: Int) -> Int {
    min(inputCount - 1, Int((Double(i) + 0.5) * Double(inputCount) / Double(outputCount)))
  }
  let xs = (0..<width).map { source($0, from: labels.width, to: width) }
  var values = [Int32](repeating: 0, count: height * width)
  for y in 0..<height {
    let row = source(y, from: labels.height, to: height) * labels.width
    for x in 0..<width { values[y * width + x] = labels.values[row + xs[x]] }
  }
  return LabelImage(width: width, height: height, values: values)
}

/// The size of an extent of `count` pixels of `pixelSize` on a grid of `targetPixelSize`:
/// the same physical extent, rounded to whole pixels (at least 1).
public func resampledCount(_ count: Int, pixelSize: Double, targetPixelSize: Double) -> Int {
  precondition(pixelSize > 0 && targetPixelSize > 0, "resampledCount: pixel sizes must be positive")
  return max(1, Int((Double(count) * pixelSize / targetPixelSize).rounded()))
}
