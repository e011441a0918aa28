import Foundation
import Testing
import TIFFSupport

/// A failed write throws `.writeFailed` or `.invalidData` naming the destination, leaves no
/// temporary or partial file, and leaves an existing destination untouched.
@Suite("Write failures")
struct WriteFailureTests {
  @Test func missingFolder() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("missing/out.tif")
    let error = #expect(throws: TIFFError.self) { try TIFFWriter.write([FixtureValues.image(.uint8)], to: path) }
    #expect(error?.code == .writeFailed)
    #expect(error?.path == path)
    #expect(try folder.contents() == [])
  }

  /// /proc accepts no new files, even for root.
  @Test func folderThatAcceptsNoFiles() {
    let path = "/proc/unet-tiff-test.tif"
    let error = #expect(throws: TIFFError.self) { try TIFFWriter.write([FixtureValues.image(.float32)], to: path) }
    #expect(error?.code == .writeFailed)
    #expect(error?.path == path)
  }

  @Test(.enabled(if: getuid() != 0, "root may write into read-only folders"))
  func readOnlyFolder() throws {
    let folder = try TemporaryFolder()
    defer {
      try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.url.path)
      folder.remove()
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: folder.url.path)
    let error = #expect(throws: TIFFError.self) {
      try TIFFWriter.write([FixtureValues.image(.uint16)], to: folder.path("out.tif"))
    }
    #expect(error?.code == .writeFailed)
    #expect(try folder.contents() == [])
  }

  @Test func destinationIsADirectory() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("taken")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    let error = #expect(throws: TIFFError.self) { try TIFFWriter.write([FixtureValues.image(.uint8)], to: path) }
    #expect(error?.code == .writeFailed)
    #expect(try folder.contents() == ["taken"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: path) == [])
  }

  @Test func invalidImagesLeaveTheExistingFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("kept.tif")
    let original = FixtureValues.image(.uint16)
    try TIFFWriter.write([original], to: path)
    let invalid: [([TIFFImage], TIFFCalibration?)] = [
      ([], nil),
      ([FixtureValues.image(.uint8), TIFFImage(width: 3, height: 3, samples: .uint8(Array(repeating: 0, count: 9)))], nil),
      ([FixtureValues.image(.uint8), FixtureValues.image(.uint16)], nil),
      ([FixtureValues.image(.uint8), FixtureValues.image(.uint8, channels: 2)], nil),
      ([FixtureValues.image(.uint8)], TIFFCalibration(pixelWidth: 0, pixelHeight: 1, unit: "µm")),
      ([FixtureValues.image(.uint8)], TIFFCalibration(pixelWidth: 1, pixelHeight: .nan, unit: "µm")),
      ([FixtureValues.image(.uint8)], TIFFCalibration(pixelWidth: 1, pixelHeight: 1, unit: "µm", spacing: -2)),
    ]
    for (images, calibration) in invalid {
      let error = #expect(throws: TIFFError.self) { try TIFFWriter.write(images, to: path, calibration: calibration) }
      #expect(error?.code == .invalidData)
      #expect(error?.path == path)
    }
    #expect(try folder.contents() == ["kept.tif"])
    #expect(try TIFFReader.read(path: path).images == [original])
  }

  @Test func failedWriteOverAnExistingFileKeepsIt() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("kept.tif")
    try TIFFWriter.write([FixtureValues.image(.float32)], to: path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(throws: TIFFError.self) { try TIFFWriter.write([], to: path) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
  }
}
