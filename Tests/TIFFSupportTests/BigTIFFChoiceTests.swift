import Foundation
import Testing
import TIFFSupport

/// Outputs become BigTIFF exactly when they could pass the 4 GiB of a classic TIFF (issue 15,
/// part 5): `TIFFStreamWriter` decides from the first image and the image count, before the
/// file is written, so a stack of large probability maps never fails at the 4 GiB mark.
@Suite("BigTIFF when an output could pass 4 GiB")
struct BigTIFFChoiceTests {
  /// The magic of the hidden temporary file the writer opened in `folder` after one append:
  /// "II*\0" classic, "II+\0" BigTIFF.
  static func magicAfterFirstImage(pages: Int, in folder: TemporaryFolder) throws -> [UInt8] {
    // A 1024x1024 float32 page is 4 MiB: 1024 of them are 4 GiB uncompressed.
    let image = TIFFImage(width: 1024, height: 1024, samples: .float32([Float](repeating: 0.5, count: 1024 * 1024)))
    let writer = try TIFFStreamWriter(path: folder.path("probabilities.tif"), imageCount: pages, channels: 1)
    defer { writer.discard() }
    try writer.append(image)
    let names = try folder.contents()
    let temporary = try #require(names.first { $0.hasPrefix(".probabilities.tif.") && $0.hasSuffix(".tmp") })
    let handle = try #require(FileHandle(forReadingAtPath: folder.path(temporary)))
    defer { try? handle.close() }
    return [UInt8](handle.readData(ofLength: 4))
  }

  @Test func aStackThatFitsStaysClassic() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    #expect(try Self.magicAfterFirstImage(pages: 900, in: folder) == Array("II*\0".utf8))
  }

  @Test func aStackThatCouldPass4GiBIsBigTIFF() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    #expect(try Self.magicAfterFirstImage(pages: 1100, in: folder) == Array("II+\0".utf8))
  }
}
