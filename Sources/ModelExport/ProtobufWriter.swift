/// The protocol-buffers wire format, as much as ONNX files need: varints (wire type 0) and
/// length-delimited fields (wire type 2: strings, bytes, nested messages). Fields are written
/// in the order the caller appends them; parsers accept any order.
///
/// Integers are written as plain varints (int64/int32 fields: a negative value takes ten
/// bytes, its two's complement, as protobuf specifies; no zig-zag, which only sint types use).
public struct ProtobufWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  /// The varint encoding of `value`: 7 bits per byte, least significant first, the high bit
  /// set on every byte but the last.
  public static func varint(_ value: UInt64) -> [UInt8] {
    var remaining = value
    var encoded: [UInt8] = []
    while remaining >= 0x80 {
      encoded.append(UInt8(remaining & 0x7F) | 0x80)
      remaining >>= 7
    }
    encoded.append(UInt8(remaining))
    return encoded
  }

  private mutating func key(_ field: Int, wireType: UInt64) {
    bytes += Self.varint(UInt64(field) << 3 | wireType)
  }

  /// An integer field (int32, int64, enum, bool) of `value`.
  public mutating func int(_ field: Int, _ value: Int64) {
    key(field, wireType: 0)
    bytes += Self.varint(UInt64(bitPattern: value))
  }

  /// A length-delimited field holding `data` (bytes or an encoded message).
  public mutating func bytes(_ field: Int, _ data: [UInt8]) {
    key(field, wireType: 2)
    bytes += Self.varint(UInt64(data.count))
    bytes += data
  }

  /// A string field (UTF-8).
  public mutating func string(_ field: Int, _ text: String) {
    bytes(field, Array(text.utf8))
  }

  /// A float field (wire type 5: four bytes, little-endian IEEE 754).
  public mutating func float(_ field: Int, _ value: Float) {
    key(field, wireType: 5)
    let bits = value.bitPattern
    bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
  }

  /// A nested message field.
  public mutating func message(_ field: Int, _ message: ProtobufWriter) {
    bytes(field, message.bytes)
  }
}
