import ImageOps

/// One object outline as an ImageJ polygon ROI (`.roi`, the format of ImageJ's RoiEncoder,
/// version 228, big-endian): the 64-byte header, x then y as int16 relative to the bounding
/// box, and header2 with the ROI's name. `position` is the stack slice it belongs to (1-based,
/// the header's `position`, which ImageJ and roifile read as the ROI's slice).
public struct ImageJRoi: Sendable, Equatable {
  public var name: String
  public var outline: [GridPoint]
  public var position: Int

  public init(name: String, outline: [GridPoint], position: Int) {
    self.name = name
    self.outline = outline
    self.position = position
  }

  /// ImageJ reads integer coordinates up to 60535 (larger ones as negative); beyond that the
  /// coordinates go as float32 too (the SUB_PIXEL_RESOLUTION option), as ImageJ writes them.
  public static let integerLimit = 60535
  /// The most corners a polygon ROI holds (its count is an unsigned 16-bit field).
  public static let maximumCorners = Int(UInt16.max)
  static let headerSize = 64
  static let header2Size = 64

  /// The `.roi` bytes; nil when the outline has no corners or more than `maximumCorners`.
  public var encoded: [UInt8]? {
    let n = outline.count
    guard n > 0, n <= Self.maximumCorners else { return nil }
    let left = outline.map(\.x).min() ?? 0, top = outline.map(\.y).min() ?? 0
    let right = outline.map(\.x).max() ?? 0, bottom = outline.map(\.y).max() ?? 0
    let subpixel = right > Self.integerLimit || bottom > Self.integerLimit
    var bytes = BigEndianBytes()
    bytes.append(Array("Iout".utf8))
    bytes.append(UInt16(228))
    bytes.append(UInt8(0))  // polygon
    bytes.append(UInt8(0))
    for value in [top, left, bottom, right] { bytes.append(UInt16(truncatingIfNeeded: value)) }
    bytes.append(UInt16(n))
    bytes.append([UInt8](repeating: 0, count: 16))  // line coordinates (unused)
    bytes.append(UInt16(0))  // stroke width
    bytes.append(UInt32(0))  // shape ROI size
    bytes.append(UInt32(0))  // stroke colour
    bytes.append(UInt32(0))  // fill colour
    bytes.append(UInt16(0))  // subtype
    bytes.append(UInt16(subpixel ? 128 : 0))  // options
    bytes.append([UInt8](repeating: 0, count: 4))  // arrow style, head size, arc size
    bytes.append(UInt32(position))
    let coordinateBytes = 4 * n + (subpixel ? 8 * n : 0)
    let header2Offset = Self.headerSize + coordinateBytes
    bytes.append(UInt32(header2Offset))
    for point in outline { bytes.append(UInt16(truncatingIfNeeded: point.x - left)) }
    for point in outline { bytes.append(UInt16(truncatingIfNeeded: point.y - top)) }
    if subpixel {
      for point in outline { bytes.append(Float(point.x).bitPattern) }
      for point in outline { bytes.append(Float(point.y).bitPattern) }
    }
    let nameUnits = Array(name.utf16)
    bytes.append(UInt32(0))
    for _ in 0..<3 { bytes.append(UInt32(0)) }  // c, z, t positions
    bytes.append(UInt32(header2Offset + Self.header2Size))  // name offset
    bytes.append(UInt32(nameUnits.count))
    bytes.append([UInt8](repeating: 0, count: Self.header2Size - 24))
    for unit in nameUnits { bytes.append(unit) }
    return bytes.bytes
  }
}
