import Foundation
import ImageOps
import NeuralCore

/// Naive references the fast kernels are checked against, written as plainly as possible.
enum ReferenceOps {
  /// Distance to the nearest feature by trying every feature pixel.
  static func bruteForceDistances(_ isFeature: [Bool], width: Int, height: Int) -> [Float] {
    var result = [Float](repeating: .infinity, count: width * height)
    for y in 0..<height {
      for x in 0..<width {
        for fy in 0..<height {
          for fx in 0..<width where isFeature[fy * width + fx] {
            let d = Float(((x - fx) * (x - fx) + (y - fy) * (y - fy))).squareRoot()
            result[y * width + x] = min(result[y * width + x], d)
          }
        }
      }
    }
    return result
  }

  /// Eq. 2 evaluated directly: for every background pixel, the distance to every object is
  /// computed by brute force, sorted, and the two smallest go into the formula.
  static func directWeightMap(
    objects: LabelImage, ignored: [Bool], w0: Float, sigma: Float,
    backgroundWeight: Float, foregroundWeight: Float
  ) -> [Float] {
    let width = objects.width
    let labels = Set(objects.values.filter { $0 != 0 })
    var result = [Float](repeating: 0, count: objects.values.count)
    for p in objects.values.indices where !ignored[p] {
      if objects.values[p] != 0 {
        result[p] = foregroundWeight
        continue
      }
      var distances: [Double] = []
      for label in labels {
        var best = Double.infinity
        for q in objects.values.indices where objects.values[q] == label {
          let dy = Double(p / width - q / width)
          let dx = Double(p % width - q % width)
          best = min(best, (dx * dx + dy * dy).squareRoot())
        }
        distances.append(best)
      }
      distances.sort()
      var weight = Double(backgroundWeight)
      if distances.count >= 2 {
        let sum = distances[0] + distances[1]
        weight += Double(w0) * exp(-sum * sum / (2 * Double(sigma * sigma)))
      }
      result[p] = Float(weight)
    }
    return result
  }

  /// A label image drawn from rectangles `(label, top, left, height, width)`, later ones on top.
  static func rectangles(width: Int, height: Int, _ boxes: [(Int32, Int, Int, Int, Int)]) -> LabelImage {
    var image = LabelImage(width: width, height: height)
    for (label, top, left, h, w) in boxes {
      for y in top..<(top + h) {
        for x in left..<(left + w) { image[y, x] = label }
      }
    }
    return image
  }
}

extension ReferenceOps {
  /// Bilinear interpolation at one position, mirroring outside the image.
  static func bilinear(_ image: Tensor, channel: Int, y: Float, x: Float) -> Float {
    let row = Int(y.rounded(.down))
    let column = Int(x.rounded(.down))
    let fy = y - Float(row)
    let fx = x - Float(column)
    func pixel(_ r: Int, _ c: Int) -> Float {
      image[channel, mirrorIndex(r, count: image.height), mirrorIndex(c, count: image.width)]
    }
    return (1 - fy) * (1 - fx) * pixel(row, column) + (1 - fy) * fx * pixel(row, column + 1)
      + fy * (1 - fx) * pixel(row + 1, column) + fy * fx * pixel(row + 1, column + 1)
  }
}
