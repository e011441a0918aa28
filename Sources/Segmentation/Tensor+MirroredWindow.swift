import ImageOps
import NeuralCore

extension Tensor {
  /// The window of rows `y0..<y0+height` and columns `x0..<x0+width` of every channel, where
  /// coordinates outside the image are mirror-extrapolated as in the paper's Fig. 2.
  ///
  /// Reflection does not repeat the edge pixel and repeats as often as needed when the
  /// window is larger than the image (`ImageOps.mirrorIndex`). Only the window is allocated,
  /// never the padded image: memory is bounded by the tile, not the image.
  /// - Returns: a C×height×width tensor.
  public func mirroredWindow(y0: Int, x0: Int, height windowHeight: Int, width windowWidth: Int) -> Tensor {
    precondition(windowHeight >= 0 && windowWidth >= 0, "Tensor.mirroredWindow: negative window \(windowHeight)×\(windowWidth)")
    precondition(height > 0 && width > 0, "Tensor.mirroredWindow: empty image \(shape)")
    let windowShape = Shape(channels: channels, height: windowHeight, width: windowWidth)
    var window = [Float](repeating: 0, count: windowShape.count)
    if windowShape.count == 0 { return Tensor(shape: windowShape, storage: window) }
    let sourceColumns = (0..<windowWidth).map { mirrorIndex(x0 + $0, count: width) }
    // The columns that fall inside the image form one contiguous run, copied without the map.
    let insideStart = Swift.min(Swift.max(-x0, 0), windowWidth)
    let insideEnd = Swift.max(Swift.min(width - x0, windowWidth), insideStart)
    let sourceShape = shape
    storage.withUnsafeBufferPointer { source in
      window.withUnsafeMutableBufferPointer { destination in
        for c in 0..<channels {
          for y in 0..<windowHeight {
            let sourceRow = sourceShape.offset(channel: c, y: mirrorIndex(y0 + y, count: sourceShape.height), x: 0)
            let destinationRow = (c * windowHeight + y) * windowWidth
            for x in 0..<insideStart {
              destination[destinationRow + x] = source[sourceRow + sourceColumns[x]]
            }
            let shift = sourceRow + x0
            for x in insideStart..<insideEnd {
              destination[destinationRow + x] = source[shift + x]
            }
            for x in insideEnd..<windowWidth {
              destination[destinationRow + x] = source[sourceRow + sourceColumns[x]]
            }
          }
        }
      }
    }
    return Tensor(shape: windowShape, storage: window)
  }
}
