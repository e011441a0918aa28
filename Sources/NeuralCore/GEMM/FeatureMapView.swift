/// A window of CHW feature maps in memory that someone else owns (a workspace buffer or a
/// tensor's storage held for the duration of a call).
///
/// Element (c, y, x) of the window lives at `base + c * channelStride + y * rowStride + x`.
/// A plain tensor has `rowStride == width` and `channelStride == height * width`; a centre
/// crop of the skip path (the U-Net's crop-and-concatenate) is the same memory with a moved
/// `base` and the original strides, so cropping never copies.
struct FeatureMapView {
  var base: UnsafeMutablePointer<Float>
  var channels: Int
  var height: Int
  var width: Int
  var rowStride: Int
  var channelStride: Int

  var planeSize: Int { height * width }
  var count: Int { channels * height * width }
  var isDense: Bool { rowStride == width && channelStride == height * width }

  @inline(__always)
  func channel(_ c: Int) -> UnsafeMutablePointer<Float> { base + c * channelStride }

  /// The centred `height × width` window (the crop of the skip path). The margins must be
  /// equal on both sides, i.e. the size differences even.
  func centreCropped(height h: Int, width w: Int) -> FeatureMapView {
    precondition(
      h <= height && w <= width && (height - h) % 2 == 0 && (width - w) % 2 == 0,
      "centre crop \(h)×\(w) of \(height)×\(width) needs equal margins")
    let top = (height - h) / 2
    let left = (width - w) / 2
    return FeatureMapView(
      base: base + top * rowStride + left, channels: channels, height: h, width: w,
      rowStride: rowStride, channelStride: channelStride)
  }

  /// Channels `range` of this view.
  func channels(_ range: Range<Int>) -> FeatureMapView {
    FeatureMapView(
      base: base + range.lowerBound * channelStride, channels: range.count, height: height,
      width: width, rowStride: rowStride, channelStride: channelStride)
  }
}

extension FeatureMapView {
  /// A densely stored C×H×W block at `base`.
  init(base: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int) {
    self.init(
      base: base, channels: channels, height: height, width: width, rowStride: width,
      channelStride: height * width)
  }
}

/// Several views of the same height and width read as one tensor whose channels are theirs in
/// order: the concatenation of the U-Net's expansive path, without a copy.
struct ChannelConcatenation {
  var parts: [FeatureMapView]

  init(_ parts: [FeatureMapView]) {
    precondition(!parts.isEmpty, "ChannelConcatenation: no parts")
    for p in parts {
      precondition(
        p.height == parts[0].height && p.width == parts[0].width,
        "ChannelConcatenation: part \(p.height)×\(p.width) ≠ \(parts[0].height)×\(parts[0].width)")
    }
    self.parts = parts
  }

  var channels: Int { parts.reduce(0) { $0 + $1.channels } }
  var height: Int { parts[0].height }
  var width: Int { parts[0].width }

  /// Pointer to (c, 0, 0) and the row stride of that channel's part.
  @inline(__always)
  func channel(_ c: Int) -> (UnsafeMutablePointer<Float>, rowStride: Int) {
    var c = c
    for p in parts {
      if c < p.channels { return (p.channel(c), p.rowStride) }
      c -= p.channels
    }
    preconditionFailure("ChannelConcatenation: channel outside 0..<\(channels)")
  }
}
