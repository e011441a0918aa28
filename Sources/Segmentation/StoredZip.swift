import NeuralCore

/// A zip archive of stored (uncompressed) entries, built in memory: local headers, the data,
/// the central directory and its end record (PKWARE APPNOTE 4.3), CRC-32 per entry. Enough
/// for ImageJ's RoiSet.zip; no zip64, so at most 65535 entries and 4 GiB.
public struct StoredZip: Sendable {
  private var body: [UInt8] = []
  private var directory: [UInt8] = []
  public private(set) var count = 0

  public init() {}

  /// The archive can take `size` more bytes and one more entry.
  public func canAdd(size: Int) -> Bool {
    count < Int(UInt16.max) && body.count + size + directory.count + 1024 < Int(UInt32.max)
  }

  /// Appends the entry `name` (ASCII) holding `data`; `canAdd(size:)` must be true.
  public mutating func add(name: String, data: [UInt8]) {
    let nameBytes = Array(name.utf8)
    let crc = CRC32.checksum(data)
    let offset = UInt32(body.count)
    // version 2.0, no flags, stored, DOS time 00:00 of 1980-01-01.
    let common =
      Self.le16(20) + Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le16(0x21)
      + Self.le32(crc) + Self.le32(UInt32(data.count)) + Self.le32(UInt32(data.count))
      + Self.le16(UInt16(nameBytes.count)) + Self.le16(0)
    body += Self.le32(0x0403_4B50) + common + nameBytes + data
    directory += Self.le32(0x0201_4B50) + Self.le16(20) + common
    directory += Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le32(0) + Self.le32(offset) + nameBytes
    count += 1
  }

  /// The whole archive.
  public var bytes: [UInt8] {
    let end =
      Self.le32(0x0605_4B50) + Self.le16(0) + Self.le16(0) + Self.le16(UInt16(count)) + Self.le16(UInt16(count))
      + Self.le32(UInt32(directory.count)) + Self.le32(UInt32(body.count)) + Self.le16(0)
    return body + directory + end
  }

  private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
  private static func le32(_ value: UInt32) -> [UInt8] {
    [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
  }
}
