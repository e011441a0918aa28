/// Bytes written most significant first, as ImageJ's ROI format wants them.
struct BigEndianBytes {
  var bytes: [UInt8] = []

  mutating func append(_ raw: [UInt8]) { bytes += raw }
  mutating func append(_ value: UInt8) { bytes.append(value) }
  mutating func append(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
  mutating func append(_ value: UInt32) {
    bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
  }
}
