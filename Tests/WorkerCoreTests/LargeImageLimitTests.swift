import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// An image too large to decode whole (more than `TIFFReadLimits.standard`, 4 GiB) is read band by
/// band when it can be streamed, and refused with a clear error when it would be decoded whole.
/// The input is a 2.5 MB LZW TIFF whose header claims 70,000 × 70,000 uint8 pixels (4.9 GB):
/// large enough for the limit, small enough for a test (its pixels are not valid LZW data).
@Suite("Images larger than 4 GiB")
struct LargeImageLimitTests {
  static let edge = 70_000

  /// A classic little-endian TIFF: one LZW strip of `edge`² uint8 samples, filled with zeros.
  static func writeClaimingHeader(to path: String) throws {
    let stripBytes = edge * edge / 2_000 + 1_000  // LZW stores at most 2000:1 (TIFFPageLayout)
    var bytes: [UInt8] = Array("II".utf8)
    func u16(_ value: Int) { bytes += [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
    func u32(_ value: Int) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(value >> shift & 0xff)) } }
    u16(42)
    u32(8)
    let entries: [(tag: Int, type: Int, value: Int)] = [
      (256, 4, edge), (257, 4, edge), (258, 3, 8), (259, 3, 5), (262, 3, 1),
      (273, 4, 8 + 2 + 9 * 12 + 4), (277, 3, 1), (278, 4, edge), (279, 4, stripBytes),
    ]
    u16(entries.count)
    for entry in entries {
      u16(entry.tag)
      u16(entry.type)
      u32(1)
      if entry.type == 3 { u16(entry.value); u16(0) } else { u32(entry.value) }
    }
    u32(0)
    bytes += [UInt8](repeating: 0, count: stripBytes)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  @Test("The standard limit refuses the header, the streamed one reads it; whole decoding is refused")
  func readLimits() throws {
    let folder = TestFolder("large-limits")
    let path = folder.file("huge.tif")
    try Self.writeClaimingHeader(to: path)
    let refused = #expect(throws: TIFFError.self) { try TIFFReader.readInfo(path: path) }
    #expect(refused?.code == .tooLarge)
    let info = try TIFFReader.readInfo(path: path, limits: .streamed)
    #expect(info.width == Self.edge && info.height == Self.edge && info.decodedByteCount == Self.edge * Self.edge)
    let reader = try TIFFPageReader(path: path, limits: .streamed)
    let start = Date()
    let whole = #expect(throws: TIFFError.self) { try reader.image(at: 0) }
    #expect(whole?.code == .tooLarge)
    #expect(Date().timeIntervalSince(start) < 1, "refused before decoding")
  }

  @Test("segment in memory (stream false, or a K-class model) is -32001 naming the file and why")
  func segmentRefusesWholeDecoding() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("large-segment")
    let path = folder.file("huge.tif")
    try Self.writeClaimingHeader(to: path)
    let session = WorkerSession(threads: 1)
    let reply = try await session.call(
      1, "segment",
      ["model": .string(trained.model), "images": [.string(path)], "output_dir": .string(folder.file("out")),
       "stream": false])
    #expect(reply.code == -32001, "\(reply)")
    #expect(reply.error?["data"]?["path"]?.stringValue == path)
    let message = reply.error?["message"]?.stringValue ?? ""
    #expect(message.contains("70000×70000") && message.contains("\"stream\": false"), "\(message)")
    let withTable = try await session.call(
      2, "segment",
      ["model": .string(trained.model), "images": [.string(path)], "output_dir": .string(folder.file("out")),
       "outputs": ["mask", "table"]])
    #expect(withTable.code == -32001, "\(withTable)")
    #expect(withTable.error?["message"]?.stringValue?.contains("cannot be streamed (ROIs and object tables") == true,
            "\(withTable)")
    #expect(!FileManager.default.fileExists(atPath: folder.file("out/huge_mask.tif")))
    #expect(await session.finish())
  }

  /// Streamed, its one 4.9 GB strip would still be decoded whole: refused before allocating it.
  @Test("A streamed image whose single strip exceeds 4 GiB is -32001 before any allocation, leaving nothing")
  func streamedHugeStripIsRefused() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("large-strip")
    let path = folder.file("huge.tif")
    try Self.writeClaimingHeader(to: path)
    let session = WorkerSession(threads: 1)
    let start = Date()
    let reply = try await session.call(
      1, "segment",
      ["model": .string(trained.model), "images": [.string(path)], "output_dir": .string(folder.file("out")),
       "outputs": ["mask", "instances"]])
    #expect(reply.code == -32001, "\(reply)")
    #expect(reply.error?["message"]?.stringValue?.contains("one strip or tile") == true, "\(reply)")
    #expect(Date().timeIntervalSince(start) < 10)
    #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.file("out"))) ?? [] == [])
    #expect(await session.finish())
  }
}
