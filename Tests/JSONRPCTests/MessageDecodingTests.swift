import JSONRPC
import Testing

/// A table of lines and what decoding makes of them (LSP's checkMessageDecodingError style).
@Suite struct MessageDecodingTests {
  struct Failing: CustomTestStringConvertible, Sendable {
    let line: [UInt8]
    let code: ErrorCode
    let id: RequestID?
    let label: String
    init(_ text: String, _ code: ErrorCode, id: RequestID? = nil) {
      self.init(bytes: Array(text.utf8), code, id: id, label: text)
    }
    init(bytes: [UInt8], _ code: ErrorCode, id: RequestID? = nil, label: String) {
      self.line = bytes
      self.code = code
      self.id = id
      self.label = label
    }
    var testDescription: String { label }
  }

  static let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)

  static let failing: [Failing] = [
    // Not JSON: -32700 with id null, even when an id is visible in the text.
    Failing("not json", .parseError),
    Failing(#"{"jsonrpc":"2.0","id":1,"method":'x'}"#, .parseError),
    Failing(#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":NaN}}"#, .parseError),
    Failing(#"{"jsonrpc":"2.0","id":1,"method":"x"} trailing"#, .parseError),
    Failing(bytes: Array(#"{"jsonrpc":"2.0","id":1,"method":""#.utf8) + [0xFF, 0x22, 0x7D], .parseError, label: "bad UTF-8"),
    Failing(#"{"jsonrpc":"2.0","id":1,"method":"x","params":"# + deep + "}", .parseError),
    // Valid JSON but not a request object: -32600 with id null.
    Failing("[]", .invalidRequest),
    Failing(#"[{"jsonrpc":"2.0","id":1,"method":"status"}]"#, .invalidRequest),
    Failing("42", .invalidRequest),
    Failing(#""status""#, .invalidRequest),
    Failing("null", .invalidRequest),
    Failing(#"{}"#, .invalidRequest),
    // An id that is not an integer or a string: -32600 with id null.
    Failing(#"{"jsonrpc":"2.0","id":1.5,"method":"status"}"#, .invalidRequest),
    Failing(#"{"jsonrpc":"2.0","id":null,"method":"status"}"#, .invalidRequest),
    Failing(#"{"jsonrpc":"2.0","id":true,"method":"status"}"#, .invalidRequest),
    Failing(#"{"jsonrpc":"2.0","id":[1],"method":"status"}"#, .invalidRequest),
    Failing(#"{"jsonrpc":"2.0","id":{"n":1},"method":"status"}"#, .invalidRequest),
    Failing(#"{"jsonrpc":"2.0","id":1e30,"method":"status"}"#, .invalidRequest),
    // A readable id, but something else is wrong: -32600 with that id.
    Failing(#"{"id":7,"method":"status"}"#, .invalidRequest, id: 7),
    Failing(#"{"jsonrpc":"1.0","id":7,"method":"status"}"#, .invalidRequest, id: 7),
    Failing(#"{"jsonrpc":2.0,"id":"a","method":"status"}"#, .invalidRequest, id: "a"),
    Failing(#"{"jsonrpc":"2.0","id":"a"}"#, .invalidRequest, id: "a"),
    Failing(#"{"jsonrpc":"2.0","id":7,"method":3}"#, .invalidRequest, id: 7),
    Failing(#"{"jsonrpc":"2.0","id":7,"method":null}"#, .invalidRequest, id: 7),
    Failing(#"{"jsonrpc":"2.0","id":7,"method":"train","params":"images"}"#, .invalidRequest, id: 7),
    Failing(#"{"jsonrpc":"2.0","id":7,"method":"train","params":null}"#, .invalidRequest, id: 7),
    Failing(#"{"jsonrpc":"2.0","id":7,"method":"train","params":3}"#, .invalidRequest, id: 7),
    // A broken notification is answered too, with id null (JSON-RPC 2.0's examples do this).
    Failing(#"{"jsonrpc":"2.0","method":"progress","params":1}"#, .invalidRequest),
    Failing(#"{"jsonrpc":"2.0","method":1}"#, .invalidRequest),
  ]

  @Test(arguments: failing)
  func failsWithCodeAndID(_ example: Failing) {
    guard case .failure(let failure) = IncomingMessage.decode(line: example.line) else {
      Issue.record("decoded although invalid")
      return
    }
    #expect(failure.error.code == example.code)
    #expect(failure.id == example.id)
    #expect(!failure.error.message.isEmpty)
  }

  struct Succeeding: CustomTestStringConvertible, Sendable {
    let line: String
    let message: IncomingMessage
    var testDescription: String { line }
  }

  static let succeeding: [Succeeding] = [
    Succeeding(
      line: #"{"jsonrpc":"2.0","id":1,"method":"segment","params":{"model":"m.unet"}}"#,
      message: .request(id: 1, method: "segment", params: ["model": "m.unet"])),
    Succeeding(
      line: #"{"method":"status","id":"abc","jsonrpc":"2.0"}"#,
      message: .request(id: "abc", method: "status", params: nil)),
    Succeeding(
      line: #"{"jsonrpc":"2.0","id":"","method":"x","params":[1,2]}"#,
      message: .request(id: "", method: "x", params: [1, 2])),
    Succeeding(
      line: #"{"jsonrpc":"2.0","id":2.0,"method":"status"}"#,
      message: .request(id: 2, method: "status", params: nil)),
    Succeeding(
      line: #"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"status"}"#,
      message: .request(id: .int(Int64.min), method: "status", params: nil)),
    Succeeding(
      line: #"{"jsonrpc":"2.0","method":"cancelled","params":{"request":3}}"#,
      message: .notification(method: "cancelled", params: ["request": 3])),
    Succeeding(
      line: #"{"jsonrpc":"2.0","id":5,"method":"status","extension":{"x":1},"result":null}"#,
      message: .request(id: 5, method: "status", params: nil)),
    Succeeding(
      line: " {\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"status\",\"params\":{}}\r",
      message: .request(id: 6, method: "status", params: [:])),
  ]

  @Test(arguments: succeeding)
  func decodes(_ example: Succeeding) {
    #expect(IncomingMessage.decode(line: Array(example.line.utf8)) == .success(example.message))
  }

  @Test func failureMessagesAndResponses() {
    guard case .failure(let batch) = IncomingMessage.decode(line: Array("[1,2]".utf8)) else {
      Issue.record("a batch decoded")
      return
    }
    #expect(batch.error.message == "batches (JSON arrays) are not supported: send one request object per line")
    #expect(
      batch.response
        == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batches (JSON arrays) are not supported: send one request object per line"}}"#
    )
    guard case .failure(let parse) = IncomingMessage.decode(line: Array("{'a':1}".utf8)) else {
      Issue.record("single quotes decoded")
      return
    }
    #expect(parse.error.data?["reason"]?.stringValue?.contains("strings take double quotes") == true)
    guard case .failure(let params) = IncomingMessage.decode(line: Array(#"{"jsonrpc":"2.0","id":"r","method":"m","params":true}"#.utf8)) else {
      Issue.record("bad params decoded")
      return
    }
    #expect(params.error.message == #""params" must be an object or an array, got true"#)
    #expect(params.response.hasPrefix(#"{"jsonrpc":"2.0","id":"r","error":{"code":-32600,"#))
  }

  @Test func messageAccessors() {
    let request = IncomingMessage.request(id: 1, method: "train", params: ["iterations": 5])
    #expect(request.method == "train")
    #expect(request.params?["iterations"] == 5)
    #expect(IncomingMessage.notification(method: "n", params: nil).params == nil)
  }
}
