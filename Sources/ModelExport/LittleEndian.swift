/// float32 values as little-endian bytes (ONNX raw_data, `.npy` `<f4`), written in one pass
/// into a preallocated buffer: the paper's network has 31 M weights.
enum LittleEndian {
  static func bytes(of values: ArraySlice<Float>) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 4 * values.count)
    bytes.withUnsafeMutableBytes { output in
      var offset = 0
      for value in values {
        output.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
        offset += 4
      }
    }
    return bytes
  }
}
