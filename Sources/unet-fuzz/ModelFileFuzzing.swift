import NeuralCore

/// Any bytes as a `.unet` file. Random bytes almost never pass the length and checksum checks,
/// so each input is decoded twice: as it is, and with its length field and CRC-32 repaired
/// (the format is documented in `ModelFile`), which lets the fuzzer reach every section's
/// checks. A file that decodes must build its network and encode back to the same bytes.
enum ModelFileFuzzing {
  static func run(_ bytes: [UInt8]) {
    decode(bytes)
    if let repaired = repaired(bytes) { decode(repaired) }
  }

  private static func decode(_ bytes: [UInt8]) {
    let file: ModelFile
    do {
      file = try ModelFile.decode(bytes)
    } catch {
      return
    }
    let network = file.network
    if network.configuration != file.configuration { fuzzFailure("the network's configuration differs from the file's") }
    if file.encode() != bytes { fuzzFailure("a decoded model file does not encode back to its \(bytes.count) bytes") }
  }

  /// Offsets of the version-1 header (see `ModelFile`): the u64 length at 16, the sections from
  /// 24, the u32 CRC-32 in the last 4 bytes.
  private static let lengthOffset = 16
  private static let headerSize = 24
  private static let checksumSize = 4

  /// `bytes` with the length field set to their count and the checksum recomputed, when they
  /// start with the magic and hold a header and a checksum.
  private static func repaired(_ bytes: [UInt8]) -> [UInt8]? {
    guard bytes.count >= headerSize + checksumSize, bytes.starts(with: ModelFile.magic) else { return nil }
    var fixed = bytes
    let length = UInt64(bytes.count)
    for byte in 0..<8 { fixed[lengthOffset + byte] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(byte))) }
    let body = fixed.count - checksumSize
    let checksum = CRC32.checksum(fixed[0..<body])
    for byte in 0..<4 { fixed[body + byte] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(byte))) }
    return fixed
  }
}
