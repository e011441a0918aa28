/// Channel slices and centre crops of tensors: the crop-and-concatenate of the U-Net's
/// expansive path and its gradient, on whole tensors.
extension Tensor {
  /// Channels `range` as a new tensor.
  public func channels(_ range: Range<Int>) -> Tensor {
    precondition(
      range.lowerBound >= 0 && range.upperBound <= channels,
      "Tensor.channels: \(range) outside 0..<\(channels)")
    let plane = shape.planeSize
    return Tensor(
      shape: Shape(channels: range.count, height: height, width: width),
      storage: Array(storage[(range.lowerBound * plane)..<(range.upperBound * plane)]))
  }

  /// This tensor placed in the centre of a zero tensor of `outer` shape (same channels, equal
  /// margins): the gradient of a centre crop.
  public func embeddedInCentre(of outer: Shape) -> Tensor {
    precondition(
      outer.channels == channels && outer.height >= height && outer.width >= width
        && (outer.height - height) % 2 == 0 && (outer.width - width) % 2 == 0,
      "Tensor.embeddedInCentre: \(shape) does not centre in \(outer)")
    var result = Tensor(shape: outer)
    let top = (outer.height - height) / 2
    let left = (outer.width - width) / 2
    for c in 0..<channels {
      for y in 0..<height {
        let source = shape.offset(channel: c, y: y, x: 0)
        let destination = outer.offset(channel: c, y: y + top, x: left)
        for x in 0..<width { result.storage[destination + x] = storage[source + x] }
      }
    }
    return result
  }

  /// The centred `height × width` window of every channel (equal margins).
  public func centreCropped(height h: Int, width w: Int) -> Tensor {
    precondition(
      (height - h) % 2 == 0 && (width - w) % 2 == 0 && h <= height && w <= width,
      "Tensor.centreCropped: \(h)×\(w) does not centre in \(shape)")
    return cropped(y0: (height - h) / 2, x0: (width - w) / 2, height: h, width: w)
  }
}
