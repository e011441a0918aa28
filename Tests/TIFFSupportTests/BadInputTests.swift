import Foundation
import Testing
import TIFFSupport

/// Bad input gets a typed error naming the file, never a crash or a huge allocation.
@Suite("Bad input")
struct BadInputTests {
  @Test func missingFile() {
    let path = "/nonexistent/folder/image.tif"
    for read in readers {
      let error = #expect(throws: TIFFError.self) { try read(path) }
      #expect(error?.code == .notFound)
      #expect(error?.path == path)
    }
  }

  @Test func directory() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: folder.url.path) }
    #expect(error?.code == .unreadable)
    #expect(error?.message.contains("directory") == true)
  }

  @Test func emptyFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("empty.tif")
    try writeBytes(Data(), to: path)
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path) }
    #expect(error?.code == .notTIFF)
  }

  @Test func otherFormats() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let files: [String: [UInt8]] = [
      "image.png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
      "text.tif": Array("not a tiff at all, just text\n".utf8),
      "short.tif": [0x49, 0x49],
    ]
    for (name, bytes) in files {
      let path = folder.path(name)
      try writeBytes(Data(bytes), to: path)
      let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path) }
      #expect(error?.code == .notTIFF, "\(name)")
      #expect(error?.path == path)
    }
  }

  /// Random bytes: without a TIFF signature they are "not a TIFF"; behind a valid signature the
  /// reader must still fail cleanly (a fuzz test of libtiff's directory parsing and our checks).
  @Test func randomBytes() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    var random = SeededValues(seed: 42)
    for trial in 0..<60 {
      let count = Int(random.next() % 3000) + 8
      var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      let signed = trial % 2 == 1
      if signed {
        bytes.replaceSubrange(0..<4, with: trial % 4 == 1 ? [0x49, 0x49, 0x2A, 0] : [0x4D, 0x4D, 0, 0x2B])
      } else if bytes[0] == 0x49 || bytes[0] == 0x4D {
        bytes[0] = 0
      }
      let path = folder.path("random\(trial).tif")
      try writeBytes(Data(bytes), to: path)
      let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path) }
      if signed {
        #expect(error?.code != .notTIFF && error?.code != .notFound, "trial \(trial): \(String(describing: error))")
      } else {
        #expect(error?.code == .notTIFF, "trial \(trial): \(String(describing: error))")
      }
    }
  }

  /// Every truncation of a file either fails with a typed error or, when only trailing bytes
  /// no tag points at are cut, reads exactly the original content. One loss goes unnoticed:
  /// libtiff reads a next-directory pointer cut off by the end of the file as "no more pages",
  /// so a plain multi-page file may read as its first pages (ImageJ files announce their page
  /// count, so there it is an error).
  @Test(arguments: ["gray_uint16.tif", "gray_uint16_lzw_predictor.tif", "gray_float32_tiled_deflate.tif",
                    "stack3_uint16_bigtiff.tif", "rgb_uint16_planar.tif", "imagej_hyperstack_c2z3_uint16.tif"])
  func truncatedFiles(name: String) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let original = try Data(contentsOf: URL(fileURLWithPath: FixtureValues.path(name)))
    let expected = try TIFFReader.read(path: FixtureValues.path(name))
    let path = folder.path("cut.tif")
    for length in stride(from: 0, to: original.count, by: max(1, original.count / 97)) {
      try writeBytes(original.prefix(length), to: path)
      do throws(TIFFError) {
        let stack = try TIFFReader.read(path: path)
        var firstPages = expected
        firstPages.images = Array(expected.images.prefix(stack.images.count))
        firstPages.hyperstack.slices = stack.images.count
        let lostPages = stack.description?.hasPrefix("ImageJ=") == false && stack == firstPages
        #expect(stack == expected || lostPages, "\(name) cut at \(length) of \(original.count) bytes read different content")
      } catch {
        #expect([.notTIFF, .corrupt].contains(error.code), "\(name) cut at \(length): \(error)")
      }
    }
  }

  /// Damaged bytes anywhere in compressed and uncompressed files: an error or some pixels, never
  /// a crash.
  @Test(arguments: ["gray_uint16_lzw_predictor.tif", "gray_int32_deflate_predictor.tif", "gray_uint8_packbits.tif",
                    "rgb_uint8_tiled_lzw.tif", "stack3_uint16_bigtiff.tif"])
  func damagedBytes(name: String) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixtureValues.path(name))))
    var random = SeededValues(seed: 5)
    let path = folder.path("damaged.tif")
    var failures = 0
    for _ in 0..<80 {
      var bytes = original
      for _ in 0..<3 {
        let index = Int(random.next() % UInt64(bytes.count - 8)) + 8
        bytes[index] = UInt8(truncatingIfNeeded: random.next())
      }
      try writeBytes(Data(bytes), to: path)
      do throws(TIFFError) {
        _ = try TIFFReader.read(path: path)
      } catch {
        failures += 1
        #expect(error.path == path)
      }
    }
    #expect(failures > 0, "no damage was detected in 80 trials of \(name)")
  }

  @Test func headerClaiming100000x100000FailsFastWithoutAllocating() throws {
    let path = FixtureValues.path("header_100000x100000.tif")
    let start = Date()
    for read in readers {
      let error = #expect(throws: TIFFError.self) { try read(path) }
      #expect(error?.code == .tooLarge)
      #expect(error?.message.contains("100000×100000") == true, "\(String(describing: error))")
    }
    // Without the hard cap, the file size still rules it out.
    let unlimited = TIFFReadLimits(maxDecodedBytes: .max)
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path, limits: unlimited) }
    #expect(error?.code == .corrupt)
    #expect(Date().timeIntervalSince(start) < 1)
  }

  @Test(arguments: ["header_exceeds_file.tif", "header_deflate_exceeds_ratio.tif"])
  func headerClaimingMoreThanTheFileHolds(name: String) {
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: FixtureValues.path(name)) }
    #expect(error?.code == .corrupt)
    #expect(error?.message.contains("more than") == true)
  }

  @Test func readLimit() throws {
    let path = FixtureValues.path("stack3_uint16.tif")
    let limit = TIFFReadLimits(maxDecodedBytes: 2 * 20 * 18 * 2)
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path, limits: limit) }
    #expect(error?.code == .tooLarge)
    let enough = TIFFReadLimits(maxDecodedBytes: 3 * 20 * 18 * 2)
    #expect(try TIFFReader.read(path: path, limits: enough).images.count == 3)
  }

  /// libtiff's own words reach the error message.
  @Test func libtiffMessageIsCaptured() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("bad-ifd.tif")
    // A valid signature whose first directory offset points far beyond the end of the file.
    try writeBytes(Data([0x49, 0x49, 0x2A, 0, 0xFF, 0xFF, 0, 0, 0, 0]), to: path)
    let error = #expect(throws: TIFFError.self) { try TIFFReader.read(path: path) }
    #expect(error?.code == .corrupt)
    #expect(error?.message.contains("libtiff") == true, "\(String(describing: error))")
  }

  private var readers: [(String) throws -> Void] {
    [{ _ = try TIFFReader.read(path: $0) }, { _ = try TIFFReader.readInfo(path: $0) }]
  }
}
