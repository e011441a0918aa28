import Foundation
import JSONRPC
import Testing
import WorkerCore

/// The 16 MiB line limit: enforced while a line streams in (memory stays bounded), answered
/// with -32700, and the next request still works. Serialized, so the memory measurement does
/// not see this suite's own 16 MiB lines.
@Suite("Line length limit", .serialized)
struct LineLengthTests {
  static let limit = 16 << 20

  @Test("A 1 GiB line is discarded while it streams in: -32700, bounded memory, next request works")
  func hugeLineStreamed() async throws {
    let lineLength = 1 << 30
    try #require(HugeLineTransport.residentBytes() > 0, "cannot read /proc/self/statm")
    let transport = HugeLineTransport(
      lineLength: lineLength, then: WorkerSession.line(id: "after", method: "initialize") + "\n")
    let worker = Worker(transport: transport, threads: 1)
    let finished = Locked(false)
    Thread {
      worker.run()
      finished.withLock { $0 = true }
    }.start()
    let deadline = ContinuousClock.now + .seconds(60)
    while !finished.withLock({ $0 }) && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    try #require(finished.withLock { $0 }, "the worker did not finish reading the stream")

    let replies = transport.lines.compactMap { (try? JSONValue.parse($0)).flatMap(Reply.init) }
    #expect(replies.count == 2, "\(replies)")
    let tooLong = try #require(replies.first)
    #expect(tooLong.code == -32700)
    #expect(tooLong.id == .null)
    let reason = tooLong.data?["reason"]?.stringValue ?? ""
    #expect(reason.contains(String(lineLength)), "the reason should give the line's length: \(reason)")
    #expect(replies.last?.id == "after")
    #expect(replies.last?.result?["name"] == "unet-worker")
    // Buffering the line would need at least 1 GiB; the framer may hold 16 MiB plus a chunk.
    // The margin leaves room for tests of other suites running at the same time.
    let growth = transport.peakResidentGrowth
    #expect(growth < 512 << 20, "resident memory grew by \(growth >> 20) MiB while reading the line")
  }

  /// A request padded with spaces to exactly `length` bytes before its line break.
  static func paddedRequest(length: Int, crlf: Bool) -> [UInt8] {
    let head = Array(#"{"jsonrpc":"2.0","id":"padded","method":"status""#.utf8)
    let padding = [UInt8](repeating: UInt8(ascii: " "), count: length - head.count - 1)
    return head + padding + [UInt8(ascii: "}")] + Array((crlf ? "\r\n" : "\n").utf8)
  }

  @Test(
    "Lines up to the limit are served, one byte more is -32700",
    arguments: [(limit, false, true), (limit, true, true), (limit + 1, false, false), (limit + 1, true, false)])
  func boundary(length: Int, crlf: Bool, accepted: Bool) async throws {
    let session = WorkerSession()
    let line = Self.paddedRequest(length: length, crlf: crlf)
    // In pieces that do not align with the line's end, as a pipe delivers them.
    stride(from: 0, to: line.count, by: 1_000_003).forEach {
      session.sendRaw(Array(line[$0..<min(line.count, $0 + 1_000_003)]))
    }
    let after = try await session.call("after", "status")
    #expect(after.result == ["requests": []])
    let replies = session.replies.filter { $0.id != "after" }
    #expect(replies.count == 1, "\(replies)")
    if accepted {
      #expect(replies.first?.id == "padded")
      #expect(replies.first?.result == ["requests": []])
    } else {
      #expect(replies.first?.id == .null)
      #expect(replies.first?.code == -32700)
    }
    #expect(await session.finish())
  }
}

/// Serves one line of `lineLength` bytes in 64 KiB chunks (the same chunk again and again, so
/// the test itself never holds the line), then `tail`, then end of input; records the resident
/// memory of the process whenever the worker asks for more input.
final class HugeLineTransport: Transport {
  private struct State {
    var served = 0
    var tailServed = false
    var baseline: Int?
    var peak = 0
    var output: [String] = []
  }

  private let lineLength: Int
  private let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
  private let tail: [UInt8]
  private let state = Locked(State())

  init(lineLength: Int, then tail: String) {
    self.lineLength = lineLength
    self.tail = Array(tail.utf8)
  }

  /// The largest growth of resident memory seen while the line streamed in.
  var peakResidentGrowth: Int {
    state.withLock { $0.peak - ($0.baseline ?? 0) }
  }

  var lines: [String] { state.withLock { $0.output } }

  func readChunk() -> [UInt8]? {
    state.withLock { s in
      if s.served % (1 << 20) == 0 {
        let resident = Self.residentBytes()
        if s.baseline == nil { s.baseline = resident }
        s.peak = max(s.peak, resident)
      }
      if s.served < lineLength {
        let count = min(chunk.count, lineLength - s.served)
        s.served += count
        return count == chunk.count ? chunk : Array(chunk[..<count])
      }
      if !s.tailServed {
        s.tailServed = true
        return [UInt8(ascii: "\n")] + tail
      }
      return nil
    }
  }

  func write(line: String) {
    state.withLock { $0.output.append(line) }
  }

  /// Resident set size of this process (`/proc/self/statm`, second field, in pages).
  static func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }
}
