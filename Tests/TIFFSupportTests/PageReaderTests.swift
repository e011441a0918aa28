import Foundation
import Testing
import TIFFSupport

/// `TIFFPageReader` gives, one image at a time and in any order, what `TIFFReader` gives for the
/// whole file, and fails the same way on files it cannot read.
@Suite("Page-at-a-time reader")
struct PageReaderTests {
  static let fixtures: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: FixtureValues.folder.path)) ?? [])
    .filter { $0.hasSuffix(".tif") }.sorted()

  @Test("There are fixtures to compare")
  func fixturesExist() {
    #expect(Self.fixtures.count >= 30)
    #expect(Self.fixtures.contains("imagej_hyperstack_c2z3_uint16.tif"))
  }

  @Test("Page reader == TIFFReader.read for every fixture (images read in reverse order)",
        arguments: fixtures)
  func sameAsWholeRead(name: String) throws {
    let path = FixtureValues.path(name)
    let whole: TIFFStack
    do {
      whole = try TIFFReader.read(path: path)
    } catch {
      // Unreadable fixtures fail the same way, at the latest when their images are decoded.
      #expect(throws: error) {
        let reader = try TIFFPageReader(path: path)
        for index in 0..<reader.imageCount { _ = try reader.image(at: index) }
      }
      return
    }
    let reader = try TIFFPageReader(path: path)
    #expect(reader.info == (try TIFFReader.readInfo(path: path)))
    #expect(reader.imageCount == whole.images.count)
    #expect(reader.info.hyperstack == whole.hyperstack)
    #expect(reader.info.calibration == whole.calibration)
    #expect(reader.info.description == whole.description)
    var images = [TIFFImage?](repeating: nil, count: reader.imageCount)
    for index in (0..<reader.imageCount).reversed() {
      images[index] = try reader.image(at: index)
    }
    #expect(difference(images.compactMap { $0 }, whole.images) == nil)
    #expect { try reader.image(at: reader.imageCount) } throws: { ($0 as? TIFFError)?.code == .invalidData }
  }

  @Test("An ImageJ hyperstack gives one image per slice with all channels")
  func hyperstackChannels() throws {
    let reader = try TIFFPageReader(path: FixtureValues.path("imagej_hyperstack_c2z3_uint16.tif"))
    #expect(reader.imageCount == 3 && reader.info.pageCount == 6 && reader.info.channels == 2)
    #expect(try reader.image(at: 2).channels == 2)
  }
}
