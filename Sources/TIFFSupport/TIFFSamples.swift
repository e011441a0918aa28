/// The samples of one `TIFFImage`, typed as stored, in planar order: channel-major, and row-major
/// within a channel (index `(c * height + y) * width + x`).
public enum TIFFSamples: Sendable, Equatable {
  case uint8([UInt8])
  case uint16([UInt16])
  case uint32([UInt32])
  case int8([Int8])
  case int16([Int16])
  case int32([Int32])
  case float32([Float])

  public var sampleType: TIFFSampleType {
    switch self {
    case .uint8: .uint8
    case .uint16: .uint16
    case .uint32: .uint32
    case .int8: .int8
    case .int16: .int16
    case .int32: .int32
    case .float32: .float32
    }
  }

  public var count: Int {
    switch self {
    case .uint8(let values): values.count
    case .uint16(let values): values.count
    case .uint32(let values): values.count
    case .int8(let values): values.count
    case .int16(let values): values.count
    case .int32(let values): values.count
    case .float32(let values): values.count
    }
  }

  /// Every sample converted to `Float` (exact up to 2^24 for integers).
  public func floats() -> [Float] {
    switch self {
    case .uint8(let values): values.map { Float($0) }
    case .uint16(let values): values.map { Float($0) }
    case .uint32(let values): values.map { Float($0) }
    case .int8(let values): values.map { Float($0) }
    case .int16(let values): values.map { Float($0) }
    case .int32(let values): values.map { Float($0) }
    case .float32(let values): values
    }
  }

  /// Calls `body` with the samples' bytes in native byte order.
  func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws(TIFFError) -> R) throws(TIFFError) -> R {
    switch self {
    case .uint8(let values): try Self.bytes(of: values, body)
    case .uint16(let values): try Self.bytes(of: values, body)
    case .uint32(let values): try Self.bytes(of: values, body)
    case .int8(let values): try Self.bytes(of: values, body)
    case .int16(let values): try Self.bytes(of: values, body)
    case .int32(let values): try Self.bytes(of: values, body)
    case .float32(let values): try Self.bytes(of: values, body)
    }
  }

  private static func bytes<T, R>(
    of values: [T], _ body: (UnsafeRawBufferPointer) throws(TIFFError) -> R
  ) throws(TIFFError) -> R {
    // Array.withUnsafeBytes rethrows untyped errors; carry the typed one across.
    var failure: TIFFError?
    let result: R? = values.withUnsafeBytes { raw in
      do throws(TIFFError) {
        return try body(raw)
      } catch {
        failure = error
        return nil
      }
    }
    if let failure { throw failure }
    guard let result else { preconditionFailure("TIFFSamples.bytes: no result and no error") }
    return result
  }

  /// Samples of `type`, `count` of them, whose bytes `fill` writes (zeroed beforehand).
  static func make(
    _ type: TIFFSampleType, count: Int,
    fill: (UnsafeMutableRawBufferPointer) throws(TIFFError) -> Void
  ) throws(TIFFError) -> TIFFSamples {
    switch type {
    case .uint8: .uint8(try filledArray(UInt8.self, count: count, fill))
    case .uint16: .uint16(try filledArray(UInt16.self, count: count, fill))
    case .uint32: .uint32(try filledArray(UInt32.self, count: count, fill))
    case .int8: .int8(try filledArray(Int8.self, count: count, fill))
    case .int16: .int16(try filledArray(Int16.self, count: count, fill))
    case .int32: .int32(try filledArray(Int32.self, count: count, fill))
    case .float32: .float32(try filledArray(Float.self, count: count, fill))
    }
  }
}

/// An array of a trivial numeric type whose bytes are written by `fill`, without a second copy.
func filledArray<T: BitwiseCopyable>(
  _ type: T.Type, count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws(TIFFError) -> Void
) throws(TIFFError) -> [T] {
  var failure: TIFFError?
  let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    let raw = UnsafeMutableRawBufferPointer(buffer)
    raw.initializeMemory(as: UInt8.self, repeating: 0)
    initialized = count
    do throws(TIFFError) {
      try fill(raw)
    } catch {
      failure = error
    }
  }
  if let failure { throw failure }
  return array
}

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
