import JSONRPC
import Testing

/// The framer must give the same lines however the input is cut into chunks (NIO's decoder
/// verifier feeds byte by byte, all at once, and one message per chunk; we add seeded random cuts).
@Suite struct LineFramerTests {
  enum Feed: CaseIterable, CustomTestStringConvertible {
    case allAtOnce, byteByByte, lineByLine, randomChunks
    var testDescription: String { "\(self)" }
  }

  /// Feeds `input` to a fresh framer cut as `feed` says, then finishes it.
  static func frame(_ input: String, _ feed: Feed, maxLineLength: Int = 64) -> [FramedLine] {
    let bytes = Array(input.utf8)
    var framer = LineFramer(maxLineLength: maxLineLength)
    var lines: [FramedLine] = []
    switch feed {
    case .allAtOnce:
      lines += framer.append(bytes)
    case .byteByByte:
      for byte in bytes { lines += framer.append([byte]) }
    case .lineByLine:
      var start = 0
      for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
        lines += framer.append(bytes[start...index])
        start = index + 1
      }
      lines += framer.append(bytes[start...])
    case .randomChunks:
      var state: UInt64 = 0x9E37_79B9_7F4A_7C15
      var start = 0
      while start < bytes.count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let size = Int(state >> 60) + 1  // 1...16
        let end = min(bytes.count, start + size)
        lines += framer.append(bytes[start..<end])
        start = end
      }
    }
    if let last = framer.finish() { lines.append(last) }
    return lines
  }

  static func line(_ text: String) -> FramedLine { .line(Array(text.utf8)) }

  @Test(arguments: Feed.allCases)
  func splitsLines(_ feed: Feed) {
    let input = "{\"a\":1}\n[2]\n\"three\"\n"
    #expect(Self.frame(input, feed) == [Self.line("{\"a\":1}"), Self.line("[2]"), Self.line("\"three\"")])
  }

  @Test(arguments: Feed.allCases)
  func acceptsCarriageReturnLineFeed(_ feed: Feed) {
    #expect(Self.frame("one\r\ntwo\r\n", feed) == [Self.line("one"), Self.line("two")])
  }

  @Test(arguments: Feed.allCases)
  func keepsCarriageReturnInsideALine(_ feed: Feed) {
    #expect(Self.frame("a\rb\n", feed) == [Self.line("a\rb")])
  }

  @Test(arguments: Feed.allCases)
  func skipsBlankLines(_ feed: Feed) {
    #expect(Self.frame("\n\n   \n\t\r\n\r\nx\n\n", feed) == [Self.line("x")])
  }

  @Test(arguments: Feed.allCases)
  func returnsTheLastLineWithoutNewlineAtFinish(_ feed: Feed) {
    #expect(Self.frame("first\nlast", feed) == [Self.line("first"), Self.line("last")])
    #expect(Self.frame("first\nlast\r", feed) == [Self.line("first"), Self.line("last")])
  }

  @Test(arguments: Feed.allCases)
  func reportsAnOverlongLineOnceThenGoesOn(_ feed: Feed) {
    let long = String(repeating: "x", count: 100)
    let lines = Self.frame("a\n\(long)\nok\n", feed, maxLineLength: 10)
    #expect(lines == [Self.line("a"), .tooLong(byteCount: 100), Self.line("ok")])
  }

  @Test(arguments: Feed.allCases)
  func enforcesTheLimitExactly(_ feed: Feed) {
    let ten = String(repeating: "y", count: 10)
    #expect(Self.frame("\(ten)\n", feed, maxLineLength: 10) == [Self.line(ten)])
    #expect(Self.frame("\(ten)\r\n", feed, maxLineLength: 10) == [Self.line(ten)])
    #expect(Self.frame("\(ten)z\n", feed, maxLineLength: 10) == [.tooLong(byteCount: 11)])
    #expect(Self.frame("\(ten)z\r\n", feed, maxLineLength: 10) == [.tooLong(byteCount: 11)])
    #expect(Self.frame("\(ten)\rz\n", feed, maxLineLength: 10) == [.tooLong(byteCount: 12)])
  }

  @Test(arguments: Feed.allCases)
  func reportsAnOverlongLastLineAtFinish(_ feed: Feed) {
    let long = String(repeating: "q", count: 30)
    #expect(Self.frame("a\n\(long)", feed, maxLineLength: 10) == [Self.line("a"), .tooLong(byteCount: 30)])
  }

  @Test func finishWithNothingPendingReturnsNilAndResets() {
    var framer = LineFramer(maxLineLength: 4)
    #expect(framer.finish() == nil)
    #expect(framer.append(Array("abcdefgh".utf8)).isEmpty)
    #expect(framer.finish() == .tooLong(byteCount: 8))
    #expect(framer.append(Array("ok\n".utf8)) == [Self.line("ok")])
    #expect(framer.finish() == nil)
  }

  /// A 64 MiB line against a 1 MiB limit streams through in 64 KiB chunks and is counted exactly,
  /// and the line after it is intact.
  @Test func streamsAHugeLineWithoutKeepingIt() {
    var framer = LineFramer(maxLineLength: 1 << 20)
    let chunk = [UInt8](repeating: UInt8(ascii: "z"), count: 64 << 10)
    var lines: [FramedLine] = []
    for _ in 0..<1024 { lines += framer.append(chunk) }
    #expect(lines.isEmpty)
    lines += framer.append(Array("\n{}\n".utf8))
    #expect(lines == [.tooLong(byteCount: 64 << 20), Self.line("{}")])
  }

  @Test func acceptsNonContiguousCollections() {
    var framer = LineFramer()
    let bytes = "a\nb\n".utf8.lazy.map { $0 }
    #expect(framer.append(bytes) == [Self.line("a"), Self.line("b")])
  }
}
