/// Little-endian writing of the model file's fields.
struct ByteWriter {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int) { bytes.reserveCapacity(capacity) }

  mutating func append(_ value: UInt8) { bytes.append(value) }

  mutating func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func append(_ value: Float) { append(value.bitPattern) }

  mutating func append(tag: String) {
    precondition(tag.utf8.count == 4, "ModelFile: section tag \(tag) must be 4 bytes")
    bytes.append(contentsOf: tag.utf8)
  }

  /// A length-prefixed (UInt32) UTF-8 string.
  mutating func append(string: String) {
    append(UInt32(string.utf8.count))
    bytes.append(contentsOf: string.utf8)
  }

  /// A count (UInt64) followed by the floats.
  mutating func append(floats: [Float]) {
    append(UInt64(floats.count))
    if ByteWriter.hostIsLittleEndian {
      floats.withUnsafeBytes { bytes.append(contentsOf: $0) }
    } else {
      for f in floats { append(f) }
    }
  }

  /// Overwrites a UInt64 written earlier (a length filled in once known).
  mutating func patch(_ value: UInt64, at offset: Int) {
    withUnsafeBytes(of: value.littleEndian) { raw in
      for (i, byte) in raw.enumerated() { bytes[offset + i] = byte }
    }
  }

  static let hostIsLittleEndian = UInt16(1).littleEndian == 1
}

/// Little-endian reading with bounds checks that throw instead of trapping.
struct ByteReader {
  let bytes: [UInt8]
  private(set) var offset: Int
  let end: Int

  init(_ bytes: [UInt8], from offset: Int, to end: Int) {
    self.bytes = bytes
    self.offset = offset
    self.end = end
  }

  var remaining: Int { end - offset }

  /// Moves to the end without reading (a section the caller does not need).
  mutating func skipRemaining() { offset = end }

  private mutating func take(_ count: Int, _ what: String) throws(ModelFileError) -> Int {
    guard count >= 0 && count <= remaining else {
      throw .malformed("\(what) needs \(count) bytes at offset \(offset), \(remaining) remain")
    }
    let start = offset
    offset += count
    return start
  }

  mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(ModelFileError) -> T {
    let start = try take(MemoryLayout<T>.size, what)
    var value = T.zero
    for i in 0..<MemoryLayout<T>.size { value |= T(bytes[start + i]) << (8 * i) }
    return value
  }

  mutating func readFloat(_ what: String) throws(ModelFileError) -> Float {
    Float(bitPattern: try read(UInt32.self, what))
  }

  mutating func readTag() throws(ModelFileError) -> String {
    let start = try take(4, "section tag")
    return String(decoding: bytes[start..<(start + 4)], as: UTF8.self)
  }

  /// A length-prefixed UTF-8 string; invalid UTF-8 is an error, not a replacement.
  mutating func readString(_ what: String) throws(ModelFileError) -> String {
    let count = Int(try read(UInt32.self, what + " length"))
    let start = try take(count, what)
    guard let string = String(validating: bytes[start..<(start + count)], as: UTF8.self) else {
      throw .malformed("\(what) is not valid UTF-8")
    }
    return string
  }

  /// A UInt64 count followed by that many floats.
  mutating func readFloats(_ what: String) throws(ModelFileError) -> [Float] {
    let declared = try read(UInt64.self, what + " count")
    guard declared <= UInt64(remaining / 4) else {
      throw .malformed("\(what) declares \(declared) floats, only \(remaining / 4) fit")
    }
    let count = Int(declared)
    let start = try take(4 * count, what)
    if ByteWriter.hostIsLittleEndian {
      return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
          UnsafeMutableRawBufferPointer(buffer).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4 * count)]))
        }
        initialized = count
      }
    }
    return (0..<count).map { i in
      var bits: UInt32 = 0
      for b in 0..<4 { bits |= UInt32(bytes[start + 4 * i + b]) << (8 * b) }
      return Float(bitPattern: bits)
    }
  }
}
