/// Why a byte sequence is not a model file this version can load.
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file does not start with "UNETMODL".
  case badMagic
  case unsupportedVersion(found: UInt32, supported: UInt32)
  /// Fewer bytes than the header's length field announces (an interrupted copy).
  case truncated(expectedBytes: Int, actualBytes: Int)
  /// More bytes than the header's length field announces.
  case trailingBytes(expectedBytes: Int, actualBytes: Int)
  case checksumMismatch(stored: UInt32, computed: UInt32)
  /// The sections are not laid out as the format requires.
  case malformed(String)
  /// A section's contents do not fit the configuration (parameter or state counts).
  case sizeMismatch(String)
  case invalidConfiguration(String)

  public var description: String {
    switch self {
    case .badMagic:
      return "not a U-Net model file (the first 8 bytes are not \"UNETMODL\")"
    case .unsupportedVersion(let found, let supported):
      return "model file format version \(found) is not supported (this build reads version \(supported))"
    case .truncated(let expected, let actual):
      return "model file is truncated: \(actual) of \(expected) bytes present"
    case .trailingBytes(let expected, let actual):
      return "model file has \(actual - expected) unexpected bytes after its \(expected)-byte end"
    case .checksumMismatch(let stored, let computed):
      return
        "model file is corrupted: CRC-32 \(hex(computed)) of its contents does not match the stored \(hex(stored))"
    case .malformed(let message):
      return "model file is malformed: \(message)"
    case .sizeMismatch(let message):
      return "model file sizes do not match: \(message)"
    case .invalidConfiguration(let message):
      return "model file holds an invalid configuration: \(message)"
    }
  }

  private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
