import Foundation
import Testing
import TIFFSupport

/// `TIFFLabelStackWriter` chooses uint16 or uint32 for the whole file while streaming, and its
/// file is `TIFFWriter`'s for the pages in the chosen type.
@Suite("Streaming label writer")
struct LabelStackWriterTests {
  static let width = 23
  static let height = 17

  /// Three label pages; page `widePage` (if any) has one label above 65535.
  static func pages(widePage: Int?) -> [[Int32]] {
    var values = SeededValues(seed: 5)
    return (0..<3).map { page in
      var labels = (0..<(width * height)).map { _ in Int32(values.next() % 60_000) }
      labels[7] = 0
      labels[8] = -3  // written as 0, as the in-memory writer always did
      if page == widePage { labels[width * 5 + 2] = 70_000 }
      return labels
    }
  }

  static func reference(_ pages: [[Int32]], wide: Bool, to path: String) throws {
    let images = pages.map { labels in
      TIFFImage(width: width, height: height,
                samples: wide ? .uint32(labels.map { UInt32(clamping: $0) }) : .uint16(labels.map { UInt16(clamping: $0) }))
    }
    try TIFFWriter.write(images, to: path, calibration: StreamWriterTests.calibration)
  }

  @Test("uint16 while all fit; uint32 for every page once any page needs it",
        arguments: [nil, 0, 1, 2] as [Int?])
  func chosenType(widePage: Int?) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let pages = Self.pages(widePage: widePage)
    let path = folder.path("labels.tif")
    let writer = try TIFFLabelStackWriter(path: path, imageCount: 3, calibration: StreamWriterTests.calibration)
    for labels in pages { try writer.append(width: Self.width, height: Self.height, labels: labels) }
    #expect(writer.isWide == (widePage != nil))
    try writer.complete()
    #expect(try folder.contents().count == 1 && !FileManager.default.fileExists(atPath: path),
            "complete() leaves the file under its temporary name")
    try writer.finish()
    let reference = folder.path("reference.tif")
    try Self.reference(pages, wide: widePage != nil, to: reference)
    #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: reference))
    let read = try TIFFReader.read(path: path)
    #expect(read.images.allSatisfy { $0.sampleType == (widePage == nil ? .uint16 : .uint32) })
    #expect(try read.images.map { try $0.integerLabels() } == pages.map { $0.map { max($0, 0) } })
    #expect(try folder.contents() == ["labels.tif", "reference.tif"])
  }

  @Test("A completed but discarded writer leaves no file")
  func completedThenDiscarded() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let writer = try TIFFLabelStackWriter(path: folder.path("labels.tif"), imageCount: 1)
    try writer.append(width: Self.width, height: Self.height, labels: Self.pages(widePage: 0)[0])
    try writer.complete()
    writer.discard()
    #expect(try folder.contents().isEmpty)
    #expect(throws: TIFFError.self) { try writer.finish() }
    #expect(try folder.contents().isEmpty)
  }
}
