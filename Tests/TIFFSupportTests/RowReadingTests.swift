import Foundation
import Testing
import TIFFSupport

/// `TIFFPageReader.rows(_:ofImage:)` decodes a band of rows: the same samples `image(at:)`
/// gives for those rows, for strips, tiles, interleaved and planar channels, 1-bit, float16/64
/// and BigTIFF; and `TIFFTiledWriter` writes tiled (Big)TIFFs that read back unchanged.
@Suite("Reading bands of rows")
struct RowReadingTests {
  /// Rows `rows` of every channel of a planar image.
  static func slice(_ image: TIFFImage, rows: Range<Int>) -> [Float] {
    let values = image.floatPlanes()
    return (0..<image.channels).flatMap { c in
      values[((c * image.height + rows.lowerBound) * image.width)..<((c * image.height + rows.upperBound) * image.width)]
    }
  }

  /// The samples `range` (in samples) of `samples`.
  static func part(_ samples: TIFFSamples, _ range: Range<Int>) -> TIFFSamples {
    switch samples {
    case .uint8(let v): .uint8(Array(v[range]))
    case .uint16(let v): .uint16(Array(v[range]))
    case .uint32(let v): .uint32(Array(v[range]))
    case .int8(let v): .int8(Array(v[range]))
    case .int16(let v): .int16(Array(v[range]))
    case .int32(let v): .int32(Array(v[range]))
    case .float32(let v): .float32(Array(v[range]))
    }
  }

  static let readable = (try? FileManager.default.contentsOfDirectory(atPath: FixtureValues.folder.path))?
    .filter { $0.hasSuffix(".tif") && !$0.hasPrefix("unsupported") && !$0.hasPrefix("header") }.sorted() ?? []

  @Test("Bands of rows equal those rows of the whole image", arguments: readable)
  func bandsEqualWholeImage(name: String) throws {
    let reader = try TIFFPageReader(path: FixtureValues.path(name))
    for index in 0..<reader.imageCount {
      let whole = try reader.image(at: index)
      for rows in [0..<1, 3..<11, 5..<whole.height, (whole.height - 1)..<whole.height, 0..<whole.height] {
        let band = try reader.rows(rows, ofImage: index)
        #expect(band.width == whole.width && band.height == rows.count && band.channels == whole.channels)
        #expect(band.sampleType == whole.sampleType)
        #expect(band.floatPlanes() == Self.slice(whole, rows: rows), "\(name) image \(index) rows \(rows)")
      }
    }
  }

  /// Found by fuzzing: a deflate strip with a horizontal predictor that libtiff decodes "fully"
  /// while leaving most of its last row unwritten. A band used to keep the previous strip's
  /// bytes there (and garbage from the allocator for its first strip), the whole page zeros;
  /// every buffer is now zeroed before libtiff decodes into it.
  @Test("A strip libtiff leaves partly unwritten reads the same whole and in bands")
  func partlyUnwrittenStrip() throws {
    let path = FixtureValues.folder.deletingLastPathComponent()
      .appendingPathComponent("fuzz/tiff/deflate_predictor_unwritten_row.tif").path
    let reader = try TIFFPageReader(path: path)
    let whole = try reader.image(at: 0)
    #expect(whole.sampleType == .int32 && whole.height == 18)
    for rows in [0..<8, 6..<12, 4..<8, 0..<18, 7..<8] {
      #expect(try reader.rows(rows, ofImage: 0).floatPlanes() == Self.slice(whole, rows: rows), "rows \(rows)")
    }
    #expect(try TIFFReader.read(path: path).images[0].floatPlanes() == whole.floatPlanes())
  }

  @Test("Rows outside the image are invalid data")
  func rowsOutside() throws {
    let reader = try TIFFPageReader(path: FixtureValues.path("gray_uint8.tif"))
    for rows in [0..<0, -1..<3, 10..<(FixtureValues.height + 1)] {
      #expect(throws: TIFFError.self) { try reader.rows(rows, ofImage: 0) }
    }
    #expect(throws: TIFFError.self) { try reader.rows(0..<1, ofImage: 1) }
  }

  @Test("A tiled BigTIFF written band by band reads back unchanged, in bands too",
        arguments: [TIFFSampleType.uint8, .uint16, .float32])
  func tiledRoundTrip(type: TIFFSampleType) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let (width, height) = (70, 53)
    var values = SeededValues(seed: 5)
    let image = TIFFImage(width: width, height: height, channels: 1, samples: values.samples(type, count: width * height))
    let path = folder.path("tiled.tif")
    try TIFFTiledWriter.write(path: path, width: width, height: height, sampleType: type, tileSize: 16) { rows in
      Self.part(image.samples, (rows.lowerBound * width)..<(rows.upperBound * width))
    }
    let reader = try TIFFPageReader(path: path)
    #expect(reader.info.isBigTIFF)
    #expect(try reader.image(at: 0) == image)
    #expect(try reader.rows(13..<40, ofImage: 0).samples == Self.part(image.samples, (13 * width)..<(40 * width)))
    #expect(try folder.contents() == ["tiled.tif"])
  }

  @Test("The strip writer's file equals TIFFWriter's for the same image", arguments: [TIFFSampleType.uint8, .uint16, .uint32, .float32])
  func stripWriterSameFile(type: TIFFSampleType) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let (width, height) = (300, 1000)
    var values = SeededValues(seed: 9)
    let image = TIFFImage(width: width, height: height, channels: 1, samples: values.samples(type, count: width * height))
    let calibration = TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.5, unit: "µm")
    try TIFFWriter.write([image], to: folder.path("whole.tif"), calibration: calibration)
    let writer = try TIFFStripWriter(path: folder.path("strips.tif"), width: width, height: height, sampleType: type,
                                     calibration: calibration)
    // Bands of 37 rows do not line up with the strips.
    for y0 in stride(from: 0, to: height, by: 37) {
      try writer.append(Self.part(image.samples, (y0 * width)..<(min(height, y0 + 37) * width)))
    }
    try writer.finish()
    #expect(FileManager.default.contents(atPath: folder.path("strips.tif"))
      == FileManager.default.contents(atPath: folder.path("whole.tif")))
  }

  @Test("A strip writer discarded or released early leaves nothing")
  func stripWriterDiscard() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    do {
      let writer = try TIFFStripWriter(path: folder.path("a.tif"), width: 10, height: 10, sampleType: .uint8)
      try writer.append(.uint8([UInt8](repeating: 1, count: 30)))
    }
    let writer = try TIFFStripWriter(path: folder.path("b.tif"), width: 10, height: 10, sampleType: .uint8)
    try writer.append(.uint8([UInt8](repeating: 1, count: 30)))
    #expect(throws: TIFFError.self) { try writer.finish() }
    #expect(throws: TIFFError.self) { try writer.append(.uint8([UInt8](repeating: 1, count: 15))) }
    #expect(try folder.contents().isEmpty)
  }
}
