import Foundation
import Testing
import TIFFSupport

/// What TIFFWriter writes, TIFFReader reads back unchanged: every type, compression, channel
/// count, page count, multi-strip sizes, calibration, BigTIFF.
@Suite("Write then read")
struct RoundTripTests {
  /// Two images of three channels each (an ImageJ hyperstack of 6 pages), full-range values.
  @Test(arguments: TIFFSampleType.allCases, TIFFCompression.allCases)
  func hyperstack(type: TIFFSampleType, compression: TIFFCompression) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    var values = SeededValues(seed: 7)
    let images = (0..<2).map { _ in
      TIFFImage(width: 13, height: 7, channels: 3, samples: values.samples(type, count: 13 * 7 * 3))
    }
    let path = folder.path("stack.tif")
    try TIFFWriter.write(images, to: path, compression: compression)
    let stack = try TIFFReader.read(path: path)
    #expect(difference(stack.images, images) == nil)
    #expect(stack.hyperstack == TIFFHyperstack(channels: 3, slices: 2, frames: 1))
    let info = try TIFFReader.readInfo(path: path)
    #expect(info.pageCount == 6 && info.imageCount == 2 && info.channels == 3 && info.sampleType == type)
    #expect(!info.isBigTIFF)
    #expect(try folder.contents() == ["stack.tif"])
  }

  @Test(arguments: TIFFSampleType.allCases)
  func singleGrayscaleImage(type: TIFFSampleType) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    var values = SeededValues(seed: 11)
    let image = TIFFImage(width: 5, height: 9, samples: values.samples(type, count: 45))
    let path = folder.path("one.tif")
    try TIFFWriter.write([image], to: path)
    let stack = try TIFFReader.read(path: path)
    #expect(stack.images == [image])
    #expect(stack.hyperstack == TIFFHyperstack(channels: 1, slices: 1, frames: 1))
    #expect(stack.calibration == nil)
    #expect(stack.description?.hasPrefix("ImageJ=") == true)
    #expect(stack.description?.contains("images=") == false)
  }

  /// Images larger than one strip (about 256 KiB per strip), smooth enough that predictors and
  /// compressors do real work across strip boundaries.
  @Test(arguments: [TIFFSampleType.uint8, .uint16, .uint32, .float32, .int16], [TIFFCompression.lzw, .deflate])
  func severalStrips(type: TIFFSampleType, compression: TIFFCompression) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    var values = SeededValues(seed: 3)
    let (width, height) = (1500, 190)
    let images = (0..<2).map { _ in
      TIFFImage(width: width, height: height, samples: values.smoothSamples(type, width: width, height: height, channels: 1))
    }
    let path = folder.path("large.tif")
    try TIFFWriter.write(images, to: path, compression: compression)
    #expect(difference(try TIFFReader.read(path: path).images, images) == nil)
    let rawBytes = width * height * type.byteCount * 2
    let fileBytes = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    #expect(fileBytes < rawBytes, "compression should shrink smooth data: \(fileBytes) of \(rawBytes) bytes")
  }

  @Test(arguments: [
    TIFFCalibration(pixelWidth: 0.325, pixelHeight: 0.325, unit: "µm", spacing: 1.5),
    TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.25, unit: "µm"),
    TIFFCalibration(pixelWidth: 0.01, pixelHeight: 0.02, unit: "cm"),
    TIFFCalibration(pixelWidth: 1.0 / 300, pixelHeight: 1.0 / 300, unit: "inch"),
    TIFFCalibration(pixelWidth: 64.5, pixelHeight: 64.5, unit: "nm", spacing: 200),
  ])
  func calibration(_ calibration: TIFFCalibration) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let images = (0..<3).map { FixtureValues.image(.uint16, page: $0) }
    let path = folder.path("calibrated.tif")
    try TIFFWriter.write(images, to: path, calibration: calibration)
    let stack = try TIFFReader.read(path: path)
    #expect(sameCalibration(stack.calibration, calibration), "\(String(describing: stack.calibration))")
    #expect(difference(stack.images, images) == nil)
  }

  @Test func forcedBigTIFF() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let images = (0..<3).map { FixtureValues.image(.float32, page: $0) }
    let path = folder.path("big.tif")
    try TIFFWriter.write(images, to: path, bigTIFF: true)
    #expect(try TIFFReader.readInfo(path: path).isBigTIFF)
    #expect(difference(try TIFFReader.read(path: path).images, images) == nil)
  }

  @Test func specialFloatsSurvive() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let special: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1, -1]
    let path = folder.path("special.tif")
    try TIFFWriter.write([TIFFImage(width: 4, height: 2, samples: .float32(special))], to: path)
    guard case .float32(let read) = try TIFFReader.read(path: path).images[0].samples else {
      Issue.record("not float32")
      return
    }
    #expect(read.map(\.bitPattern) == special.map(\.bitPattern))
  }

  @Test func replacesAnExistingFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("replaced.tif")
    try TIFFWriter.write([FixtureValues.image(.uint8, page: 0)], to: path)
    try TIFFWriter.write([FixtureValues.image(.int32, page: 1), FixtureValues.image(.int32, page: 2)], to: path)
    let stack = try TIFFReader.read(path: path)
    #expect(difference(stack.images, [FixtureValues.image(.int32, page: 1), FixtureValues.image(.int32, page: 2)]) == nil)
    #expect(try folder.contents() == ["replaced.tif"])
  }

  @Test func relativePathInWorkingDirectory() throws {
    let name = "tiffsupport-relative-\(UUID().uuidString).tif"
    defer { try? FileManager.default.removeItem(atPath: name) }
    try TIFFWriter.write([FixtureValues.image(.uint8)], to: name)
    #expect(try TIFFReader.read(path: name).images == [FixtureValues.image(.uint8)])
  }
}
