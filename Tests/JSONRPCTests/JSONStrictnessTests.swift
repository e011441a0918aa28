import JSONRPC
import Testing

/// Everything that is not JSON must be refused, including what json-c's strict mode accepts.
@Suite struct JSONStrictnessTests {
  struct Malformed: CustomTestStringConvertible, Sendable {
    let bytes: [UInt8]
    let kind: JSONParseError.Kind
    let label: String
    init(_ text: String, _ kind: JSONParseError.Kind = .syntax) {
      self.bytes = Array(text.utf8)
      self.kind = kind
      self.label = text
    }
    init(bytes: [UInt8], _ kind: JSONParseError.Kind, _ label: String) {
      self.bytes = bytes
      self.kind = kind
      self.label = label
    }
    var testDescription: String { label }
  }

  static let malformed: [Malformed] = [
    // Not a value at all.
    Malformed(""), Malformed("   "), Malformed("not json"), Malformed("{"), Malformed("["),
    Malformed(#"{"a":1"#), Malformed(#""abc"#), Malformed("-"), Malformed("tru"), Malformed("nul"),
    // Accepted by json-c's JSON_TOKENER_STRICT (measured on 0.16), not JSON.
    Malformed(#"{'a':1}"#), Malformed(#"{"a":'b'}"#), Malformed("'abc'"),
    Malformed("NaN"), Malformed("Infinity"), Malformed("-Infinity"), Malformed(#"{"x":NaN}"#),
    Malformed("-01"), Malformed("1."), Malformed("[1.]"), Malformed("\"a\tb\""), Malformed("\"a\u{1}\""),
    Malformed(#""\ud800""#), Malformed(#""\udc00""#), Malformed(#""\ud800x""#), Malformed(#""\ud800\u0041""#),
    Malformed(#""\ud83d\ud83d""#), Malformed(#"{"a\u0000b":1}"#),
    // Rejected by json-c too; must stay rejected.
    Malformed("01"), Malformed(".5"), Malformed("+1"), Malformed("1e"), Malformed("1e+"), Malformed("0x10"),
    Malformed("--1"), Malformed("TRUE"), Malformed("True"), Malformed("nulll"), Malformed("nan"),
    Malformed(#""\x""#), Malformed(#""\'""#), Malformed(#""\u12""#), Malformed(#""\u12g4""#),
    Malformed("{a:1}"), Malformed("[1,2,]"), Malformed(#"{"a":1,}"#), Malformed("[,1]"), Malformed("{,}"),
    Malformed("[1 2]"), Malformed(#"{"a" 1}"#), Malformed(#"{"a":}"#), Malformed(#"{1:2}"#),
    Malformed("/*c*/1"), Malformed("1 //c"), Malformed("# comment"),
    Malformed("{} x"), Malformed("{}{}"), Malformed("1 2"), Malformed("[1]]"), Malformed("}"),
    Malformed("\u{C}1"), Malformed("1\u{B}"), Malformed("\u{A0}1"), Malformed("\u{FEFF}{}"),
    Malformed(bytes: [UInt8(ascii: "["), UInt8(ascii: "1"), 0, UInt8(ascii: "]")], .syntax, "raw NUL"),
    Malformed(bytes: [0x22, 0x61, 0, 0x22], .syntax, "raw NUL in a string"),
    // Out of range for a double.
    Malformed("1e400", .numberOutOfRange), Malformed("[-1e309]", .numberOutOfRange),
    Malformed(String(repeating: "9", count: 400), .numberOutOfRange),
    // Invalid UTF-8, inside and outside strings.
    Malformed(bytes: [0x22, 0xFF, 0x22], .invalidUTF8, "0xFF"),
    Malformed(bytes: [0x22, 0xC3, 0x22], .invalidUTF8, "truncated 2-byte"),
    Malformed(bytes: [0x22, 0xE2, 0x82, 0x22], .invalidUTF8, "truncated 3-byte"),
    Malformed(bytes: [0x22, 0xC0, 0x80, 0x22], .invalidUTF8, "overlong NUL"),
    Malformed(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], .invalidUTF8, "overlong 3-byte"),
    Malformed(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, "encoded surrogate"),
    Malformed(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, "above U+10FFFF"),
    Malformed(bytes: [0x22, 0x80, 0x22], .invalidUTF8, "lone continuation"),
    Malformed(bytes: [0xFF], .invalidUTF8, "0xFF outside a string"),
    Malformed(bytes: [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFE, 0x22, 0x7D], .invalidUTF8, "in a member value"),
    Malformed(bytes: [0x22, 0xC3], .invalidUTF8, "truncated at the end of the line"),
    Malformed("é", .syntax),
    // Too deep for the default limit of 64.
    Malformed(String(repeating: "[", count: 65) + String(repeating: "]", count: 65), .tooDeep),
    Malformed(String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65), .tooDeep),
    Malformed(String(repeating: "[", count: 100_000), .tooDeep),
  ]

  @Test(arguments: malformed)
  func rejects(_ example: Malformed) {
    #expect(throws: JSONParseError.self) { try JSONValue.parse(example.bytes) }
    #expect(Self.failure(example.bytes)?.kind == example.kind)
  }

  @Test func errorsSayWhereAndWhat() {
    let single = Self.failure(Array(#"{"a":'b'}"#.utf8))
    #expect(single?.offset == 5)
    #expect(single?.reason == "expected a JSON value, found ''' (strings take double quotes) at byte 5")
    #expect(Self.failure(Array("NaN".utf8))?.reason.contains("NaN and Infinity are not JSON numbers") == true)
    #expect(Self.failure(Array("-01".utf8))?.reason == "invalid number: leading zeros are not allowed at byte 0")
    #expect(Self.failure(Array("{} x".utf8))?.offset == 3)
    #expect(Self.failure([0x22, 0x61, 0xFF, 0x22])?.reason == "invalid UTF-8 at byte 2")
    let deep = Self.failure(Array("[[[1]]]".utf8), maxDepth: 2)
    #expect(deep?.kind == .tooDeep)
    #expect(deep?.reason == "arrays and objects nest deeper than 2 levels at byte 2")
    #expect(Self.failure(Array("[]".utf8), maxDepth: 0)?.kind == .tooDeep)
  }

  /// The UTF-8 check agrees with the standard library's validator on seeded random byte strings
  /// rich in lead and continuation bytes (quote, backslash and control bytes left out, so only
  /// UTF-8 decides), and valid strings decode to the same text.
  @Test func utf8ValidationAgreesWithTheStandardLibrary() throws {
    let interesting: [UInt8] = [
      0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
      0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF,
    ]
    var random = SplitMix(seed: 7)
    var valid = 0
    for _ in 0..<20_000 {
      let content: [UInt8] = (0..<(1 + random.below(6))).map { _ in
        random.below(4) == 0 ? UInt8(0x23 + random.below(0x5C - 0x23)) : interesting[random.below(interesting.count)]
      }
      let expected = String(validating: content, as: UTF8.self)
      let parsed = try? JSONValue.parse([0x22] + content + [0x22])
      #expect(parsed?.stringValue == expected, "\(content)")
      if expected != nil { valid += 1 }
    }
    #expect(valid > 1_000 && valid < 19_000)  // both outcomes are well covered
  }

  static func failure(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONParseError? {
    do {
      _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
      return nil
    } catch {
      return error
    }
  }
}
