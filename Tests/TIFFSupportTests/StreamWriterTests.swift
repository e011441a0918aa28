import Foundation
import Testing
import TIFFSupport

/// `TIFFStreamWriter` writes the file `TIFFWriter.write` writes, byte for byte, one image at a
/// time, and leaves nothing behind when it is discarded or fails.
@Suite("Streaming writer")
struct StreamWriterTests {
  static let calibration = TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.25, unit: "µm", spacing: 2)

  /// `count` seeded images of `type`, 3 of them unless told.
  static func images(_ type: TIFFSampleType, channels: Int, count: Int = 3, seed: UInt64 = 11) -> [TIFFImage] {
    var values = SeededValues(seed: seed)
    return (0..<count).map { _ in
      TIFFImage(width: 37, height: 29, channels: channels, samples: values.samples(type, count: 37 * 29 * channels))
    }
  }

  static func stream(_ images: [TIFFImage], to path: String, compression: TIFFCompression,
                     calibration: TIFFCalibration?) throws {
    let writer = try TIFFStreamWriter(path: path, imageCount: images.count, channels: images[0].channels,
                                      calibration: calibration, compression: compression)
    for image in images { try writer.append(image) }
    try writer.finish()
  }

  @Test("Streamed file == TIFFWriter's file (bytes, content, description)",
        arguments: [TIFFSampleType.float32, .uint8, .uint16], [1, 2])
  func sameFile(type: TIFFSampleType, channels: Int) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let images = Self.images(type, channels: channels)
    for compression in TIFFCompression.allCases {
      let whole = folder.path("whole-\(compression).tif")
      let streamed = folder.path("streamed-\(compression).tif")
      try TIFFWriter.write(images, to: whole, compression: compression, calibration: Self.calibration)
      try Self.stream(images, to: streamed, compression: compression, calibration: Self.calibration)
      #expect(FileManager.default.contents(atPath: streamed) == FileManager.default.contents(atPath: whole),
              "\(compression)")
      let expected = try TIFFReader.read(path: whole)
      let actual = try TIFFReader.read(path: streamed)
      #expect(difference(actual.images, images) == nil)
      #expect(actual.description == expected.description)
      #expect(actual.description?.contains("images=\(3 * channels)") == true)
      #expect(actual.description?.contains("unit=\\u00B5m") == true)
      #expect(actual.hyperstack == expected.hyperstack)
      #expect(sameCalibration(actual.calibration, Self.calibration))
    }
  }

  @Test("A discarded, released, short or mismatched writer leaves no file and keeps the destination")
  func nothingLeftBehind() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let images = Self.images(.uint16, channels: 1)
    let kept = folder.path("kept.tif")
    try TIFFWriter.write([images[0]], to: kept)
    let before = FileManager.default.contents(atPath: kept)

    let discarded = try TIFFStreamWriter(path: kept, imageCount: 3, channels: 1)
    try discarded.append(images[0])
    #expect(try folder.contents().count == 2, "the temporary file exists while writing")
    discarded.discard()
    #expect(try folder.contents() == ["kept.tif"])
    #expect(throws: TIFFError.self) { try discarded.append(images[1]) }

    do {
      let released = try TIFFStreamWriter(path: folder.path("released.tif"), imageCount: 3, channels: 1)
      try released.append(images[0])
    }
    #expect(try folder.contents() == ["kept.tif"])

    let short = try TIFFStreamWriter(path: kept, imageCount: 3, channels: 1)
    try short.append(images[0])
    try short.append(images[1])
    #expect { try short.finish() } throws: { ($0 as? TIFFError)?.code == .invalidData }
    #expect(try folder.contents() == ["kept.tif"])

    let mismatched = try TIFFStreamWriter(path: folder.path("mixed.tif"), imageCount: 3, channels: 1)
    try mismatched.append(images[0])
    let other = TIFFImage(width: 37, height: 29, samples: .uint8([UInt8](repeating: 1, count: 37 * 29)))
    #expect { try mismatched.append(other) } throws: { ($0 as? TIFFError)?.code == .invalidData }
    #expect(try folder.contents() == ["kept.tif"])

    let surplus = try TIFFStreamWriter(path: folder.path("surplus.tif"), imageCount: 1, channels: 1)
    try surplus.append(images[0])
    #expect { try surplus.append(images[1]) } throws: { ($0 as? TIFFError)?.code == .invalidData }
    #expect(try folder.contents() == ["kept.tif"])
    #expect(FileManager.default.contents(atPath: kept) == before)
  }

  @Test("Rewriting the appended images (uint16 widened to uint32) gives the all-uint32 file")
  func widenedMidway() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let narrow = Self.images(.uint16, channels: 1)
    let wide = narrow.map { image -> TIFFImage in
      guard case .uint16(let values) = image.samples else { return image }
      return TIFFImage(width: image.width, height: image.height, samples: .uint32(values.map { UInt32($0) }))
    }
    let path = folder.path("labels.tif")
    let writer = try TIFFStreamWriter(path: path, imageCount: 3, channels: 1, calibration: Self.calibration)
    try writer.append(narrow[0])
    try writer.append(narrow[1])
    var transformed = 0
    try writer.rewriteAppended { (image: TIFFImage) throws(TIFFError) -> TIFFImage in
      transformed += 1
      guard case .uint16(let values) = image.samples else {
        throw TIFFError(.invalidData, path: "", message: "read back \(image.sampleType)")
      }
      return TIFFImage(width: image.width, height: image.height, samples: .uint32(values.map { UInt32($0) }))
    }
    #expect(transformed == 2 && writer.appendedCount == 2)
    #expect(try folder.contents().count == 1, "the first temporary file is gone")
    try writer.append(wide[2])
    try writer.finish()
    let reference = folder.path("reference.tif")
    try TIFFWriter.write(wide, to: reference, calibration: Self.calibration)
    #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: reference))
    #expect(difference(try TIFFReader.read(path: path).images, wide) == nil)
    #expect(try folder.contents() == ["labels.tif", "reference.tif"])
  }
}
