import Foundation

/// Writes a classic little-endian TIFF whose 8-bit grayscale pages may differ in size, which
/// `TIFFWriter` rightly refuses to write but other software produces. Uncompressed, one strip
/// per page; the smallest file libtiff reads (TIFF 6.0, section 2 and "Baseline").
enum MixedSizeTIFF {
  struct Page {
    let width: Int
    let height: Int
    let value: UInt8
  }

  static func write(_ pages: [Page], to path: String) throws {
    var bytes: [UInt8] = Array("II".utf8) + le16(42) + le32(0)
    var nextOffsetField = 4  // where the offset of the next IFD is stored
    for page in pages {
      let pixelOffset = bytes.count
      bytes += [UInt8](repeating: page.value, count: page.width * page.height)
      if bytes.count % 2 == 1 { bytes.append(0) }  // IFDs start on a word boundary
      bytes.replaceSubrange(nextOffsetField..<(nextOffsetField + 4), with: le32(UInt32(bytes.count)))
      let entries: [(tag: UInt16, type: UInt16, value: UInt32)] = [
        (256, 4, UInt32(page.width)),  // ImageWidth, LONG
        (257, 4, UInt32(page.height)),  // ImageLength
        (258, 3, 8),  // BitsPerSample, SHORT
        (259, 3, 1),  // Compression: none
        (262, 3, 1),  // PhotometricInterpretation: BlackIsZero
        (273, 4, UInt32(pixelOffset)),  // StripOffsets
        (277, 3, 1),  // SamplesPerPixel
        (278, 4, UInt32(page.height)),  // RowsPerStrip
        (279, 4, UInt32(page.width * page.height)),  // StripByteCounts
      ]
      bytes += le16(UInt16(entries.count))
      for entry in entries {
        bytes += le16(entry.tag) + le16(entry.type) + le32(1)
        bytes += entry.type == 3 ? le16(UInt16(entry.value)) + [0, 0] : le32(entry.value)
      }
      nextOffsetField = bytes.count
      bytes += le32(0)  // no next IFD unless another page follows
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
  private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}
