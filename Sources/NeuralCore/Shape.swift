/// The shape of one image's feature maps: channels × height × width (CHW).
///
/// The paper trains with a batch of one large tile, so the core has no batch axis: every
/// tensor is the stack of feature maps of a single image or tile. Storage is row-major,
/// channel-major: element (c, y, x) lives at `(c * height + y) * width + x`.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
  public var channels: Int
  public var height: Int
  public var width: Int

  public init(channels: Int, height: Int, width: Int) {
    precondition(
      channels >= 0 && height >= 0 && width >= 0,
      "Shape: negative extent \(channels)×\(height)×\(width)")
    self.channels = channels
    self.height = height
    self.width = width
  }

  /// Pixels in one channel plane.
  public var planeSize: Int { height * width }

  /// Elements in the whole tensor.
  public var count: Int { channels * height * width }

  /// Offset of element (c, y, x) in row-major CHW storage.
  @inlinable
  public func offset(channel c: Int, y: Int, x: Int) -> Int {
    (c * height + y) * width + x
  }

  public var description: String { "\(channels)×\(height)×\(width)" }
}
