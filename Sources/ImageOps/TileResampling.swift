import NeuralCore

/// Resampling a source image at the positions of a `TileCoordinates`, with the paper's mirror
/// extrapolation (Fig. 2, `mirrorIndex`) wherever a position lies outside the image.

/// Bilinear interpolation of every channel at the tile's positions (smooth for the image;
/// exact at integer positions, so plain crops, flips and quarter turns copy pixels).
///
/// - Parameter image: C×H×W.
/// - Returns: C×size×size, channels in the same order.
public func sampleBilinear(_ image: Tensor, at coordinates: TileCoordinates) -> Tensor {
  let height = image.height
  let width = image.width
  let plane = height * width
  let size = coordinates.size
  let channels = image.channels
  var tile = [Float](repeating: 0, count: channels * size * size)
  precondition(plane > 0, "sampleBilinear: empty image \(image.shape)")
  image.storage.withUnsafeBufferPointer { source in
    tile.withUnsafeMutableBufferPointer { target in
      for p in 0..<(size * size) {
        let y = coordinates.y[p]
        let x = coordinates.x[p]
        let yFloor = y.rounded(.down)
        let xFloor = x.rounded(.down)
        let fy = y - yFloor
        let fx = x - xFloor
        let row = Int(yFloor)
        let column = Int(xFloor)
        let top = mirrorIndex(row, count: height) * width
        let bottom = mirrorIndex(row + 1, count: height) * width
        let left = mirrorIndex(column, count: width)
        let right = mirrorIndex(column + 1, count: width)
        for c in 0..<channels {
          let base = c * plane
          let upper = (1 - fx) * source[base + top + left] + fx * source[base + top + right]
          let lower = (1 - fx) * source[base + bottom + left] + fx * source[base + bottom + right]
          target[c * size * size + p] = (1 - fy) * upper + fy * lower
        }
      }
    }
  }
  return Tensor(shape: Shape(channels: channels, height: size, width: size), storage: tile)
}

/// The source pixel nearest to each position of a window of the tile, for values that must
/// not be blended (classes, instance labels) and for values that must stay consistent with
/// them (weights).
///
/// - Parameters:
///   - offset: the window starts at tile pixel (offset, offset), e.g. the U-Net's margin
///     between input and output tile.
///   - size: window edge.
///   - width, height: the source image.
/// - Returns: row-major `size²` source pixel indices (mirrored into the image) and whether
///   the nearest position lay inside the image before mirroring.
public func nearestPixels(
  at coordinates: TileCoordinates, offset: Int, size: Int, width: Int, height: Int
) -> (indices: [Int], inside: [Bool]) {
  precondition(
    offset >= 0 && offset + size <= coordinates.size,
    "nearestPixels: window \(offset)+\(size) outside tile \(coordinates.size)")
  var indices = [Int](repeating: 0, count: size * size)
  var inside = [Bool](repeating: false, count: size * size)
  for i in 0..<size {
    for j in 0..<size {
      let p = (i + offset) * coordinates.size + (j + offset)
      let row = Int((coordinates.y[p] + 0.5).rounded(.down))
      let column = Int((coordinates.x[p] + 0.5).rounded(.down))
      indices[i * size + j] = mirrorIndex(row, count: height) * width + mirrorIndex(column, count: width)
      inside[i * size + j] = row >= 0 && row < height && column >= 0 && column < width
    }
  }
  return (indices, inside)
}
