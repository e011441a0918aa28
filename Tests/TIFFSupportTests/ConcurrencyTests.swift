import Dispatch
import Foundation
import Testing
import TIFFSupport

/// Reads and writes from many threads at once: results are right and each error carries its
/// own file's message, never another thread's (libtiff messages go to per-handle buffers).
@Suite("Concurrent use")
struct ConcurrencyTests {
  @Test func manyThreadsReadAndWrite() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    for index in 0..<8 {
      // A TIFF signature, then a directory offset beyond the end: libtiff names the file.
      try writeBytes(Data([0x49, 0x49, 0x2A, 0, 0xFF, 0xFF, 0, UInt8(index), 0, 0]), to: folder.path("broken\(index).tif"))
    }
    let expected = try TIFFReader.read(path: FixtureValues.path("rgb_uint8_tiled_lzw.tif"))
    let problems = Problems()
    DispatchQueue.concurrentPerform(iterations: 64) { iteration in
      let index = iteration % 8
      do throws(TIFFError) {
        let stack = try TIFFReader.read(path: FixtureValues.path("rgb_uint8_tiled_lzw.tif"))
        if stack != expected { problems.add("read \(iteration): different content") }
        let out = folder.path("out\(iteration).tif")
        let image = FixtureValues.image(.uint16, page: iteration)
        try TIFFWriter.write([image], to: out)
        if try TIFFReader.read(path: out).images != [image] { problems.add("write \(iteration): different content") }
      } catch {
        problems.add("\(iteration): \(error)")
      }
      let broken = folder.path("broken\(index).tif")
      do throws(TIFFError) {
        _ = try TIFFReader.read(path: broken)
        problems.add("broken\(index) read without error")
      } catch {
        let others = (0..<8).filter { $0 != index }.map { "broken\($0).tif" }
        if error.path != broken || others.contains(where: error.message.contains) {
          problems.add("broken\(index): \(error)")
        }
      }
    }
    #expect(problems.all == [])
    #expect(try folder.contents().filter { $0.hasPrefix(".") } == [])
  }
}

/// Thread-safe list of problems found on worker threads.
final class Problems: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []

  func add(_ problem: String) { lock.withLock { list.append(problem) } }
  var all: [String] { lock.withLock { list } }
}
