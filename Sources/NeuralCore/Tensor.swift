/// A dense float32 tensor of one image's feature maps, CHW layout (see `Shape`).
///
/// A value type: `storage` is a Swift `Array`, so copies are cheap until one side writes
/// (copy-on-write). Shape mismatches are programmer errors and trap with a message naming
/// both shapes; data-dependent sizes are validated by callers before they reach the core.
public struct Tensor: Equatable, Sendable {
  public private(set) var shape: Shape
  @usableFromInline var elements: [Float]

  /// Row-major CHW elements; `storage.count == shape.count` always.
  ///
  /// Element writes (`tensor.storage[i] = v`, `tensor[c, y, x] = v`) happen in place: the
  /// accessor yields the array itself and checks the count afterwards. (A `didSet` observer
  /// would make every element write from another module copy the whole array.)
  public var storage: [Float] {
    @inlinable get { elements }
    @inlinable _modify {
      yield &elements
      precondition(
        elements.count == shape.count,
        "Tensor: storage count \(elements.count) ≠ shape \(shape) (\(shape.count))")
    }
    @inlinable set {
      precondition(
        newValue.count == shape.count,
        "Tensor: storage count \(newValue.count) ≠ shape \(shape) (\(shape.count))")
      elements = newValue
    }
  }

  /// A tensor of the given shape filled with `value`.
  public init(shape: Shape, repeating value: Float = 0) {
    self.shape = shape
    self.elements = [Float](repeating: value, count: shape.count)
  }

  /// A tensor over existing storage; `storage.count` must equal `shape.count`.
  public init(shape: Shape, storage: [Float]) {
    precondition(
      storage.count == shape.count,
      "Tensor: storage count \(storage.count) ≠ shape \(shape) (\(shape.count))")
    self.shape = shape
    self.elements = storage
  }

  /// Convenience for `Tensor(shape: Shape(channels:height:width:))`.
  public init(channels: Int, height: Int, width: Int, repeating value: Float = 0) {
    self.init(shape: Shape(channels: channels, height: height, width: width), repeating: value)
  }

  public var channels: Int { shape.channels }
  public var height: Int { shape.height }
  public var width: Int { shape.width }

  /// Element (c, y, x); bounds are checked by the array in debug builds.
  @inlinable
  public subscript(c: Int, y: Int, x: Int) -> Float {
    get { storage[shape.offset(channel: c, y: y, x: x)] }
    set { storage[shape.offset(channel: c, y: y, x: x)] = newValue }
  }

  /// Reinterprets the same elements under another shape with the same element count.
  public func reshaped(to newShape: Shape) -> Tensor {
    precondition(
      newShape.count == shape.count, "Tensor.reshaped: \(shape) has \(shape.count) elements, \(newShape) needs \(newShape.count)")
    return Tensor(shape: newShape, storage: storage)
  }

  /// The channel plane `c` as a one-channel tensor.
  public func channel(_ c: Int) -> Tensor {
    precondition(c >= 0 && c < channels, "Tensor.channel: \(c) outside 0..<\(channels)")
    let start = c * shape.planeSize
    return Tensor(
      shape: Shape(channels: 1, height: height, width: width),
      storage: Array(storage[start..<(start + shape.planeSize)]))
  }

  /// The window of rows `y0..<y0+h` and columns `x0..<x0+w` of every channel.
  public func cropped(y0: Int, x0: Int, height h: Int, width w: Int) -> Tensor {
    precondition(
      y0 >= 0 && x0 >= 0 && y0 + h <= height && x0 + w <= width,
      "Tensor.cropped: window (\(y0),\(x0)) \(h)×\(w) outside \(shape)")
    var out = Tensor(channels: channels, height: h, width: w)
    storage.withUnsafeBufferPointer { src in
      out.storage.withUnsafeMutableBufferPointer { dst in
        for c in 0..<channels {
          for y in 0..<h {
            let s = shape.offset(channel: c, y: y0 + y, x: x0)
            let d = (c * h + y) * w
            for x in 0..<w { dst[d + x] = src[s + x] }
          }
        }
      }
    }
    return out
  }
}
