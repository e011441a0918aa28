import ImageOps
import NeuralCore

/// What the object table says of one object: pixel count, centroid, bounding box and mean
/// probability, in the coordinates of the ROI outlines (pixel (x, y) covers
/// [x, x+1) × [y, y+1), so a lone pixel at (0, 0) has its centroid at (0.5, 0.5), as in ImageJ).
public struct ObjectMeasurement: Sendable, Equatable {
  public var label: Int32
  public var area: Int
  public var centroidX: Double
  public var centroidY: Double
  /// The bounding box: the first column and row and the width and height in pixels.
  public var boundingX: Int
  public var boundingY: Int
  public var boundingWidth: Int
  public var boundingHeight: Int
  /// The mean of the probability image over the object's pixels.
  public var meanProbability: Double
}

extension LabelImage {
  /// The measurements of every object present, in label order, with `probability` (one
  /// channel of this image's size) averaged over each object's pixels.
  public func measurements(probability: Tensor) -> [ObjectMeasurement] {
    precondition(probability.width == width && probability.height == height, "measurements: sizes differ")
    let count = Int(max(maximumLabel, 0)) + 1
    var area = [Int](repeating: 0, count: count)
    var sumX = [Int](repeating: 0, count: count), sumY = [Int](repeating: 0, count: count)
    var minX = [Int](repeating: Int.max, count: count), minY = [Int](repeating: Int.max, count: count)
    var maxX = [Int](repeating: -1, count: count), maxY = [Int](repeating: -1, count: count)
    var sumP = [Double](repeating: 0, count: count)
    let plane = probability.storage
    for y in 0..<height {
      for x in 0..<width {
        let p = y * width + x
        let label = Int(values[p])
        guard label > 0 else { continue }
        area[label] += 1
        sumX[label] += x
        sumY[label] += y
        minX[label] = Swift.min(minX[label], x)
        minY[label] = Swift.min(minY[label], y)
        maxX[label] = Swift.max(maxX[label], x)
        maxY[label] = Swift.max(maxY[label], y)
        sumP[label] += Double(plane[p])
      }
    }
    return area.indices.dropFirst().filter { area[$0] > 0 }.map { label in
      let n = Double(area[label])
      return ObjectMeasurement(
        label: Int32(label), area: area[label],
        centroidX: Double(sumX[label]) / n + 0.5, centroidY: Double(sumY[label]) / n + 0.5,
        boundingX: minX[label], boundingY: minY[label],
        boundingWidth: maxX[label] - minX[label] + 1, boundingHeight: maxY[label] - minY[label] + 1,
        meanProbability: sumP[label] / n)
    }
  }
}
