import Testing
import TIFFSupport

/// Files written by other writers (tifffile, libtiff's tiffcp, ImageJ), committed under
/// Tests/Fixtures/tiff by Tests/tools/make_tiff_fixtures.sh, decode to the fixture formula.
@Suite("Reading fixtures from other writers")
struct FixtureReadTests {
  typealias Kind = FixtureValues.Kind

  /// Single-page grayscale files: every stored type, byte order, compression, strips and tiles.
  @Test(arguments: [
    ("gray_uint8.tif", Kind.uint8), ("gray_uint16.tif", .uint16), ("gray_uint32.tif", .uint32),
    ("gray_int8.tif", .int8), ("gray_int16.tif", .int16), ("gray_int32.tif", .int32),
    ("gray_float32.tif", .float32), ("gray_float64.tif", .float64), ("gray_float16.tif", .float16),
    ("gray_uint16_bigendian.tif", .uint16), ("gray_float32_bigendian.tif", .float32),
    ("gray_uint16_lzw_predictor.tif", .uint16), ("gray_int32_deflate_predictor.tif", .int32),
    ("gray_uint8_packbits.tif", .uint8), ("gray_float32_lzw_fpredictor.tif", .float32),
    ("gray_float64_deflate.tif", .float64), ("gray_float32_tiled_deflate.tif", .float32),
    ("palette_uint8.tif", .uint8), ("with_thumbnail_uint8.tif", .uint8),
  ])
  func grayscale(file: String, kind: Kind) throws {
    let stack = try TIFFReader.read(path: FixtureValues.path(file))
    #expect(difference(stack.images, [FixtureValues.image(kind)]) == nil)
    #expect(stack.hyperstack == TIFFHyperstack(channels: 1, slices: 1, frames: 1))
    #expect(stack.calibration == nil)
  }

  /// Several samples per pixel, interleaved or planar, strips or tiles: one multi-channel image.
  @Test(arguments: [
    ("rgb_uint8_contig.tif", Kind.uint8, 3), ("rgb_uint16_planar.tif", .uint16, 3),
    ("rgb_uint8_tiled_lzw.tif", .uint8, 3), ("rgb_uint16_tiled_planar.tif", .uint16, 3),
    ("rgb_uint8_bigtiff_tiled.tif", .uint8, 3), ("multi5_float32_planar.tif", .float32, 5),
    ("multi4_int16_contig.tif", .int16, 4),
  ])
  func multiSample(file: String, kind: Kind, channels: Int) throws {
    let stack = try TIFFReader.read(path: FixtureValues.path(file))
    #expect(difference(stack.images, [FixtureValues.image(kind, channels: channels)]) == nil)
    #expect(stack.hyperstack == TIFFHyperstack(channels: channels, slices: 1, frames: 1))
  }

  @Test(arguments: ["stack3_uint16.tif", "stack3_uint16_bigtiff.tif"])
  func plainStack(file: String) throws {
    let stack = try TIFFReader.read(path: FixtureValues.path(file))
    #expect(difference(stack.images, (0..<3).map { FixtureValues.image(.uint16, page: $0) }) == nil)
    #expect(stack.hyperstack == TIFFHyperstack(channels: 1, slices: 3, frames: 1))
    let info = try TIFFReader.readInfo(path: FixtureValues.path(file))
    #expect(info.isBigTIFF == file.contains("bigtiff"))
    #expect(info.pageCount == 3 && info.imageCount == 3 && info.isUniform)
  }

  @Test func bilevelPixelsAreRawBits() throws {
    let expected = (0..<FixtureValues.height).flatMap { y in
      (0..<FixtureValues.width).map { x in
        UInt8(FixtureValues.base(page: 0, channel: 0, y: y, x: x) % 3 == 0 ? 1 : 0)
      }
    }
    for file in ["bilevel_1bit.tif", "bilevel_1bit_packbits.tif"] {
      let stack = try TIFFReader.read(path: FixtureValues.path(file))
      #expect(stack.images.map(\.samples) == [.uint8(expected)], "\(file)")
    }
  }

  @Test func tifffileHyperstackReadsAsChannels() throws {
    let stack = try TIFFReader.read(path: FixtureValues.path("hyperstack_z3c2_float32_tifffile.tif"))
    #expect(stack.hyperstack == TIFFHyperstack(channels: 2, slices: 3, frames: 1))
    #expect(difference(stack.images, (0..<3).map { FixtureValues.image(.float32, pages: 2 * $0..<2 * $0 + 2) }) == nil)
    #expect(sameCalibration(stack.calibration, TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.25, unit: "µm", spacing: 2.5)))
    #expect(stack.description?.hasPrefix("ImageJ=") == true)
  }

  @Test func imageJHyperstackReadsAsChannels() throws {
    let path = FixtureValues.path("imagej_hyperstack_c2z3_uint16.tif")
    let stack = try TIFFReader.read(path: path)
    #expect(stack.hyperstack == TIFFHyperstack(channels: 2, slices: 3, frames: 1))
    #expect(difference(stack.images, (0..<3).map { FixtureValues.image(.uint16, pages: 2 * $0..<2 * $0 + 2) }) == nil)
    #expect(sameCalibration(stack.calibration, TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.25, unit: "µm", spacing: 2)))
    let info = try TIFFReader.readInfo(path: path)
    #expect(info.pageCount == 6 && info.imageCount == 3 && info.channels == 2)
    #expect(info.decodedByteCount == 6 * 20 * 18 * 2)
  }

  @Test func imageJStackAndFrames() throws {
    let stack = try TIFFReader.read(path: FixtureValues.path("imagej_stack4_float32.tif"))
    #expect(difference(stack.images, (0..<4).map { FixtureValues.image(.float32, page: $0) }) == nil)
    #expect(stack.hyperstack == TIFFHyperstack(channels: 1, slices: 4, frames: 1))
    #expect(sameCalibration(stack.calibration, TIFFCalibration(pixelWidth: 3, pixelHeight: 3, unit: "mm")))

    let frames = try TIFFReader.read(path: FixtureValues.path("imagej_frames3_uint8.tif"))
    #expect(difference(frames.images, (0..<3).map { FixtureValues.image(.uint8, page: $0) }) == nil)
    #expect(frames.hyperstack == TIFFHyperstack(channels: 1, slices: 1, frames: 3))
  }

  @Test func resolutionTagsInCentimetres() throws {
    let stack = try TIFFReader.read(path: FixtureValues.path("calibrated_cm_uint8.tif"))
    #expect(sameCalibration(stack.calibration, TIFFCalibration(pixelWidth: 0.25, pixelHeight: 0.125, unit: "cm")))
  }

  @Test func infoMatchesRead() throws {
    let info = try TIFFReader.readInfo(path: FixtureValues.path("multi5_float32_planar.tif"))
    #expect(info.width == 20 && info.height == 18 && info.channels == 5)
    #expect(info.sampleType == .float32 && info.imageCount == 1 && info.pageCount == 1)
    #expect(info.decodedByteCount == 5 * 20 * 18 * 4)
    let thumbnail = try TIFFReader.readInfo(path: FixtureValues.path("with_thumbnail_uint8.tif"))
    #expect(thumbnail.pageCount == 2 && thumbnail.imageCount == 1)
  }

  @Test(arguments: ["unsupported_int64.tif", "unsupported_complex64.tif", "unsupported_ycbcr_jpeg.tif"])
  func unsupportedLayouts(file: String) throws {
    let path = FixtureValues.path(file)
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path) }
    #expect(error?.code == .unsupported)
    #expect(error?.path == path)
    #expect(error?.message.contains("page 1") == true)
    let infoError = #expect(throws: TIFFError.self) { try TIFFReader.readInfo(path: path) }
    #expect(infoError?.code == .unsupported)
  }
}
