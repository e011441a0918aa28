/// One 2D image with `channels` channels of `width` × `height` samples each, stored planar
/// (channel-major, row-major within a channel). A grayscale page is one channel; an RGB page or
/// the channels of an ImageJ hyperstack position are several.
public struct TIFFImage: Sendable, Equatable {
  public let width: Int
  public let height: Int
  public let channels: Int
  public let samples: TIFFSamples

  /// - Precondition: `samples.count == width * height * channels`, all at least 1.
  public init(width: Int, height: Int, channels: Int = 1, samples: TIFFSamples) {
    precondition(width > 0 && height > 0 && channels > 0,
                 "TIFFImage: width \(width), height \(height), channels \(channels) must be positive")
    precondition(samples.count == width * height * channels,
                 "TIFFImage: \(samples.count) samples for \(channels)×\(height)×\(width)")
    self.width = width
    self.height = height
    self.channels = channels
    self.samples = samples
  }

  public var sampleType: TIFFSampleType { samples.sampleType }

  /// All channels as `Float`, channels × height × width (the layout of a CHW tensor).
  public func floatPlanes() -> [Float] { samples.floats() }

  /// Channel 0 as integer labels (height × width), for label images: integer types directly,
  /// float images when every value is a whole number. 0 is background.
  /// - Throws: `TIFFError.Code.invalidData` for several channels, a non-integral or non-finite
  ///   float, or a value outside `Int32`. The error has no path; use `attributed(to:)`.
  public func integerLabels() throws(TIFFError) -> [Int32] {
    guard channels == 1 else {
      throw TIFFError(.invalidData, path: "",
                      message: "a label image must have one channel, this one has \(channels)")
    }
    switch samples {
    case .uint8(let values): return values.map { Int32($0) }
    case .uint16(let values): return values.map { Int32($0) }
    case .int8(let values): return values.map { Int32($0) }
    case .int16(let values): return values.map { Int32($0) }
    case .int32(let values): return values
    case .uint32(let values):
      if let index = values.firstIndex(where: { $0 > UInt32(Int32.max) }) {
        throw outOfRange(Double(values[index]), at: index)
      }
      return values.map { Int32(truncatingIfNeeded: $0) }
    case .float32(let values):
      return try Self.wholeNumbers(values, width: width)
    }
  }

  private func outOfRange(_ value: Double, at index: Int) -> TIFFError {
    TIFFError(.invalidData, path: "",
              message: "label \(value) at x=\(index % width), y=\(index / width) is outside the Int32 range")
  }

  private static func wholeNumbers(_ values: [Float], width: Int) throws(TIFFError) -> [Int32] {
    // 2^31 is exactly representable; every float below it and >= -2^31 converts exactly.
    let limit: Float = 2_147_483_648
    var labels = [Int32](repeating: 0, count: values.count)
    for (index, value) in values.enumerated() {
      guard value.isFinite, value.rounded(.towardZero) == value else {
        throw TIFFError(.invalidData, path: "",
                        message: "label value \(value) at x=\(index % width), y=\(index / width) is not a whole number")
      }
      guard value >= -limit, value < limit else {
        throw TIFFError(.invalidData, path: "",
                        message: "label \(value) at x=\(index % width), y=\(index / width) is outside the Int32 range")
      }
      labels[index] = Int32(value)
    }
    return labels
  }
}
