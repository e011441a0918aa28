/// The numeric type of the samples of a `TIFFImage`, as it is held in memory.
///
/// Files with other stored types are converted while reading: 1-bit pixels become `uint8` 0/1,
/// 16- and 64-bit floats become `float32`.
public enum TIFFSampleType: String, Sendable, Equatable, CaseIterable {
  case uint8, uint16, uint32, int8, int16, int32, float32

  /// Bytes per sample in memory and in files this package writes.
  public var byteCount: Int {
    switch self {
    case .uint8, .int8: 1
    case .uint16, .int16: 2
    case .uint32, .int32, .float32: 4
    }
  }

  public var isFloatingPoint: Bool { self == .float32 }
  public var isSigned: Bool { self == .int8 || self == .int16 || self == .int32 }
}
