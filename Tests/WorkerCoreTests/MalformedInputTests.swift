import JSONRPC
import Testing

/// Lines that are not usable requests: each gets the contract's answer (or none), and the
/// worker answers a normal request right after it.
@Suite("Malformed input")
struct MalformedInputTests {
  @Test("Each malformed line gets its error, then a normal request still works", arguments: MalformedLine.all)
  func answeredThenRecovers(line: MalformedLine) async throws {
    let session = WorkerSession()
    session.sendRaw(line.bytes)
    let after = try await session.call("after", "initialize")
    #expect(after.result?["name"] == "unet-worker", "\(line.name): \(after)")
    line.check(session.replies.filter { $0.id != "after" })
    #expect(await session.finish())
  }

  @Test("All malformed lines in one stream: answered in order, once each, worker still serving")
  func allInOneStream() async throws {
    let session = WorkerSession()
    var stream: [UInt8] = []
    for (index, line) in MalformedLine.all.enumerated() {
      stream += line.bytes
      stream += Array((WorkerSession.line(id: .string("after-\(index)"), method: "status") + "\n").utf8)
    }
    session.sendRaw(stream)
    #expect(await session.finish())
    var replies = session.replies[...]
    for (index, line) in MalformedLine.all.enumerated() {
      guard let end = replies.firstIndex(where: { $0.id == .string("after-\(index)") }) else {
        Issue.record("no answer to the status after \(line.name)")
        return
      }
      line.check(Array(replies[..<end]))
      #expect(replies[end].result == ["requests": []])
      replies = replies[(end + 1)...]
    }
    #expect(replies.isEmpty, "unexpected extra answers: \(Array(replies))")
  }

  @Test("Fed one byte at a time, a stream is framed exactly as when fed at once")
  func byteByByte() async throws {
    let session = WorkerSession()
    let text =
      "not json\n" + #"{"jsonrpc":"2.0","id":1,"method":"initialize"}"# + "\r\n\n"
      + #"{"jsonrpc":"2.0","id":"two","method":"nope"}"# + "\n" + #"{"jsonrpc":"2.0","id":3,"method":"status"}"#
    for byte in Array(text.utf8) { session.sendRaw([byte]) }
    #expect(await session.finish())  // the last line has no `\n`: end of input completes it
    let replies = session.replies
    #expect(replies.map(\.id) == [.null, 1, "two", 3])
    #expect(replies.map(\.code) == [-32700, nil, -32601, nil])
  }

  /// Ids and lines the protocol accepts although they look unusual.
  @Test(
    "Unusual but valid requests are answered with the id as sent",
    arguments: [
      (#"{"jsonrpc":"2.0","id":1.0,"method":"status"}"#, JSONValue.int(1)),
      (#"{"jsonrpc":"2.0","id":-17,"method":"status"}"#, .int(-17)),
      (#"{"jsonrpc":"2.0","id":9007199254740993,"method":"status"}"#, .int(9_007_199_254_740_993)),
      (#"{"jsonrpc":"2.0","id":"","method":"status"}"#, .string("")),
      (#"{"jsonrpc":"2.0","id":"é \"quoted\" \n","method":"status"}"#, .string("é \"quoted\" \n")),
      (#"{"method":"status","id":"order","jsonrpc":"2.0","extra":{"a":[1]}}"#, .string("order")),
      (#"{"jsonrpc":"2.0","id":5,"method":"status","params":{}}"#, .int(5)),
      (#"{"jsonrpc":"2.0","id":6,"method":"status"}"# + "\r", .int(6)),
      (MalformedLine.nestedRequest(depth: 64), .int(1)),
    ])
  func acceptedEdgeCases(line: String, id: JSONValue) async throws {
    let session = WorkerSession()
    session.sendRaw(Array((line + "\n").utf8))
    #expect(await session.finish())
    let replies = session.replies
    #expect(replies.count == 1)
    #expect(replies.first?.id == id)
    #expect(replies.first?.error == nil, "\(replies)")
    // Every line the worker wrote is one JSON value with no raw line break inside.
    #expect(session.transport.lines.allSatisfy { !$0.contains("\n") && (try? JSONValue.parse($0)) != nil })
  }
}
