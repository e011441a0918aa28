import JSONRPC
import Testing

/// One line a client might send that is not a usable request, with the answer the protocol
/// fixes for it (Protocol/README.md, "Framing" and "Error codes").
struct MalformedLine: Sendable, CustomTestStringConvertible {
  /// What `data` of the error must hold.
  enum DataCheck: Sendable {
    /// No requirement (the contract leaves `data` of -32600 open).
    case any
    /// `{"reason": <non-empty string>}` (-32700).
    case reason
    /// `{"method": name}` (-32601).
    case method(String)
  }

  /// The answer: an error with `code` for request `id` (`null` when the id is unreadable).
  struct Expected: Sendable {
    let code: Int
    let id: JSONValue
    let data: DataCheck
  }

  let name: String
  /// The whole line, including its `\n`.
  let bytes: [UInt8]
  /// nil: the line must never be answered (notifications, blank lines).
  let expected: Expected?

  var testDescription: String { name }

  init(_ name: String, _ text: String, _ expected: Expected?) {
    self.init(name, bytes: Array(text.utf8), expected)
  }

  init(_ name: String, bytes: [UInt8], _ expected: Expected?) {
    self.name = name
    self.bytes = bytes + [UInt8(ascii: "\n")]
    self.expected = expected
  }

  /// Records an issue unless `replies` (the answers to this line alone) match `expected`.
  func check(_ replies: [Reply], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let expected else {
      #expect(replies.isEmpty, "\(name): must not be answered, got \(replies)", sourceLocation: sourceLocation)
      return
    }
    guard replies.count == 1, let reply = replies.first else {
      Issue.record("\(name): expected exactly one answer, got \(replies)", sourceLocation: sourceLocation)
      return
    }
    #expect(reply.code == expected.code, "\(name): \(reply)", sourceLocation: sourceLocation)
    #expect(reply.id == expected.id, "\(name): \(reply)", sourceLocation: sourceLocation)
    #expect(reply.error?["message"]?.stringValue?.isEmpty == false, "\(name): \(reply)", sourceLocation: sourceLocation)
    switch expected.data {
    case .any:
      break
    case .reason:
      let reason = reply.data?["reason"]?.stringValue ?? ""
      #expect(!reason.isEmpty, "\(name): data.reason missing in \(reply)", sourceLocation: sourceLocation)
    case .method(let method):
      #expect(reply.data == ["method": .string(method)], "\(name): \(reply)", sourceLocation: sourceLocation)
    }
  }
}

extension MalformedLine.Expected {
  static let parseError = Self(code: -32700, id: .null, data: .reason)
  static let invalidRequest = Self(code: -32600, id: .null, data: .any)
  static func invalidRequest(id: JSONValue) -> Self { Self(code: -32600, id: id, data: .any) }
  static func methodNotFound(_ method: String, id: JSONValue) -> Self {
    Self(code: -32601, id: id, data: .method(method))
  }
}

extension MalformedLine {
  /// `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"x":<depth - 2 nested arrays>}}`:
  /// a request whose deepest nesting is `depth` (the envelope and params objects count).
  static func nestedRequest(depth: Int) -> String {
    let arrays = depth - 2
    let nested = String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays)
    return #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"x":"# + nested + "}}"
  }

  /// A request line with `inner` spliced in as the bytes of a string value.
  static func requestWithString(_ inner: [UInt8]) -> [UInt8] {
    Array(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"name":""#.utf8) + inner
      + Array(#""}}"#.utf8)
  }

  /// The table: every way a line can fail before a method runs, with its answer.
  static let all: [MalformedLine] = [
    // Not JSON (-32700, id null, data.reason).
    MalformedLine("not JSON", "hello worker", .parseError),
    MalformedLine("truncated object", #"{"jsonrpc":"2.0","id":1,"method":"initialize""#, .parseError),
    MalformedLine("single-quoted strings", "{'jsonrpc':'2.0','id':1,'method':'initialize'}", .parseError),
    MalformedLine("NaN", #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"x":NaN}}"#, .parseError),
    MalformedLine("trailing characters", #"{"jsonrpc":"2.0","id":1,"method":"initialize"} x"#, .parseError),
    MalformedLine(
      "two objects on one line",
      #"{"jsonrpc":"2.0","id":1,"method":"initialize"}{"jsonrpc":"2.0","id":2,"method":"initialize"}"#,
      .parseError),
    MalformedLine("invalid UTF-8 byte", bytes: requestWithString([0x61, 0xFF, 0x62]), .parseError),
    MalformedLine("overlong UTF-8 encoding", bytes: requestWithString([0xC0, 0xAF]), .parseError),
    MalformedLine("UTF-8 encoded surrogate", bytes: requestWithString([0xED, 0xA0, 0x80]), .parseError),
    MalformedLine("truncated UTF-8 sequence", bytes: requestWithString([0xE2, 0x82]), .parseError),
    MalformedLine("nesting one level too deep (65)", nestedRequest(depth: 65), .parseError),
    MalformedLine("nesting 100000 levels deep", String(repeating: "[", count: 100_000), .parseError),
    // Valid JSON, not a request object (-32600).
    MalformedLine("array instead of object", "[1,2,3]", .invalidRequest),
    MalformedLine(
      "batch of two requests",
      #"[{"jsonrpc":"2.0","id":1,"method":"initialize"},{"jsonrpc":"2.0","id":2,"method":"status"}]"#,
      .invalidRequest),
    MalformedLine("empty batch", "[]", .invalidRequest),
    MalformedLine("string instead of object", #""initialize""#, .invalidRequest),
    MalformedLine("number instead of object", "42", .invalidRequest),
    MalformedLine("null instead of object", "null", .invalidRequest),
    MalformedLine("object id", #"{"jsonrpc":"2.0","id":{"n":1},"method":"initialize"}"#, .invalidRequest),
    MalformedLine("array id", #"{"jsonrpc":"2.0","id":[1],"method":"initialize"}"#, .invalidRequest),
    MalformedLine("boolean id", #"{"jsonrpc":"2.0","id":true,"method":"initialize"}"#, .invalidRequest),
    MalformedLine("fractional id", #"{"jsonrpc":"2.0","id":1.5,"method":"initialize"}"#, .invalidRequest),
    MalformedLine("null id", #"{"jsonrpc":"2.0","id":null,"method":"initialize"}"#, .invalidRequest),
    MalformedLine("missing jsonrpc", #"{"id":7,"method":"initialize"}"#, .invalidRequest(id: 7)),
    MalformedLine("jsonrpc 1.0", #"{"jsonrpc":"1.0","id":7,"method":"initialize"}"#, .invalidRequest(id: 7)),
    MalformedLine("jsonrpc as a number", #"{"jsonrpc":2.0,"id":"q","method":"initialize"}"#, .invalidRequest(id: "q")),
    MalformedLine("missing method", #"{"jsonrpc":"2.0","id":7}"#, .invalidRequest(id: 7)),
    MalformedLine("method as a number", #"{"jsonrpc":"2.0","id":7,"method":3}"#, .invalidRequest(id: 7)),
    MalformedLine("params as a string", #"{"jsonrpc":"2.0","id":7,"method":"status","params":"x"}"#, .invalidRequest(id: 7)),
    MalformedLine("params null", #"{"jsonrpc":"2.0","id":7,"method":"status","params":null}"#, .invalidRequest(id: 7)),
    // Unknown methods (-32601, data.method).
    MalformedLine("unknown method", #"{"jsonrpc":"2.0","id":7,"method":"segmnet"}"#, .methodNotFound("segmnet", id: 7)),
    MalformedLine(
      "method names are case-sensitive", #"{"jsonrpc":"2.0","id":"x","method":"Initialize"}"#,
      .methodNotFound("Initialize", id: "x")),
    MalformedLine("empty method name", #"{"jsonrpc":"2.0","id":7,"method":""}"#, .methodNotFound("", id: 7)),
    // Never answered.
    MalformedLine("notification of an unknown method", #"{"jsonrpc":"2.0","method":"no_such_method"}"#, nil),
    MalformedLine(
      "notification with bad params", #"{"jsonrpc":"2.0","method":"segment","params":{"images":3}}"#, nil),
    MalformedLine("notification of initialize", #"{"jsonrpc":"2.0","method":"initialize"}"#, nil),
    MalformedLine("blank line", "   \t", nil),
  ]
}
