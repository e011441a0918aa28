/// CRC-32 as in zlib, PNG and Ethernet (IEEE 802.3, reflected polynomial 0xEDB88320), so a
/// model file's checksum can be verified with `zlib.crc32` in Python.
///
/// Slice-by-8: eight lookup tables let the loop consume 8 bytes per step (a few GB/s),
/// which matters for checkpoints of 100+ MB.
public enum CRC32 {
  static let tables: [[UInt32]] = {
    var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
    for i in 0..<256 {
      var c = UInt32(i)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      tables[0][i] = c
    }
    for i in 0..<256 {
      for t in 1..<8 {
        let previous = tables[t - 1][i]
        tables[t][i] = tables[0][Int(previous & 0xFF)] ^ (previous >> 8)
      }
    }
    return tables
  }()

  /// The CRC-32 of `bytes`.
  public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    if let result = bytes.withContiguousStorageIfAvailable({ checksum(buffer: UnsafeRawBufferPointer($0)) }) {
      return result
    }
    return Array(bytes).withUnsafeBytes { checksum(buffer: $0) }
  }

  static func checksum(buffer: UnsafeRawBufferPointer) -> UInt32 {
    tables.withUnsafeBufferPointer { t in
      let t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7]
      var crc: UInt32 = 0xFFFF_FFFF
      var i = 0
      let count = buffer.count
      while i + 8 <= count {
        let low = crc ^ buffer.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian
        let high = buffer.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
        crc =
          t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)] ^ t5[Int((low >> 16) & 0xFF)]
          ^ t4[Int(low >> 24)] ^ t3[Int(high & 0xFF)] ^ t2[Int((high >> 8) & 0xFF)]
          ^ t1[Int((high >> 16) & 0xFF)] ^ t0[Int(high >> 24)]
        i += 8
      }
      while i < count {
        crc = t0[Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8)
        i += 1
      }
      return crc ^ 0xFFFF_FFFF
    }
  }
}
