/// NumPy's `.npy` format, version 1.0, for float32 arrays: bioimage.io's test tensors.
///
/// Layout: the magic `\x93NUMPY`, version bytes 1 and 0, the header length (uint16,
/// little-endian), an ASCII Python-dict header padded with spaces and ended by `\n` so that the
/// data start at a multiple of 64 bytes (as `numpy.save` writes it), then the values in C order,
/// little-endian (`<f4`).
public enum NumpyArray {
  /// The `.npy` file of `values` with `shape` (row-major; the product of `shape` must equal
  /// the number of values).
  public static func float32(shape: [Int], values: [Float]) -> [UInt8] {
    precondition(shape.reduce(1, *) == values.count, "NumpyArray: \(values.count) values for shape \(shape)")
    let dimensions = shape.map(String.init).joined(separator: ", ")
    let tuple = shape.count == 1 ? "(\(dimensions),)" : "(\(dimensions))"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"
    let prefixLength = 10  // magic (6), version (2), header length (2)
    while (prefixLength + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let headerBytes = Array(header.utf8)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    bytes += [UInt8(headerBytes.count & 0xFF), UInt8(headerBytes.count >> 8)]
    bytes += headerBytes
    return bytes + LittleEndian.bytes(of: values[...])
  }
}
