import JSONRPC
import Testing

/// Parsing and serialising with inline JSON literals (LSP's CodingTests style): each case gives
/// the text, the value it must parse to, and the canonical line it must serialise back to.
@Suite struct JSONParsingTests {
  struct RoundTrip: CustomTestStringConvertible, Sendable {
    let text: String
    let value: JSONValue
    let canonical: String
    init(_ text: String, _ value: JSONValue, _ canonical: String? = nil) {
      self.text = text
      self.value = value
      self.canonical = canonical ?? text
    }
    var testDescription: String { text }
  }

  static let roundTrips: [RoundTrip] = [
    RoundTrip(#"{"a":1,"b":[true,false,null],"c":"x"}"#, ["a": 1, "b": [true, false, .null], "c": "x"]),
    RoundTrip(#"{"zeta":1,"alpha":2,"mid":3}"#, ["zeta": 1, "alpha": 2, "mid": 3]),
    RoundTrip(#" [ 1 , 2.5 , -3 ] "#, [1, 2.5, -3], "[1,2.5,-3]"),
    RoundTrip("\t{ \"a\" :\r\n {} }\n", ["a": [:]], #"{"a":{}}"#),
    RoundTrip(#"[]"#, []),
    RoundTrip(#""""#, ""),
    RoundTrip(#"true"#, true),
    RoundTrip(#"null"#, .null),
    RoundTrip(#"12"#, 12),
    RoundTrip(#"0"#, 0),
    RoundTrip(#"-0"#, 0, "0"),
    RoundTrip(#"0.1"#, 0.1),
    RoundTrip(#"600.0"#, 600.0),
    RoundTrip(#"6e2"#, 600.0, "600.0"),
    RoundTrip(#"1E-7"#, 1e-7, "1e-07"),
    RoundTrip(#"-2.5e+300"#, -2.5e300, "-2.5e+300"),
    RoundTrip(#"1e-400"#, 0.0, "0.0"),
    RoundTrip(#"9223372036854775807"#, .int(Int64.max)),
    RoundTrip(#"-9223372036854775808"#, .int(Int64.min)),
    RoundTrip(#"9223372036854775808"#, .double(9_223_372_036_854_775_808.0), "9.223372036854776e+18"),
    RoundTrip(#"-9223372036854775809"#, .double(-9_223_372_036_854_775_809.0), "-9.223372036854776e+18"),
    RoundTrip(#"99999999999999999999"#, .double(1e20), "1e+20"),
    RoundTrip(
      #"[123456789012345678901234567890,1,-18446744073709551616]"#,
      [.double(1.2345678901234568e29), 1, .double(-18_446_744_073_709_551_616.0)],
      "[1.2345678901234568e+29,1,-1.8446744073709552e+19]"),
    RoundTrip(#""a\"b\\c\/d\n\t\r\b\f""#, "a\"b\\c/d\n\t\r\u{8}\u{C}", #""a\"b\\c/d\n\t\r\b\f""#),
    RoundTrip(#""\u00e9\u4e2d\ud83d\ude00""#, "é中😀", "\"é中😀\""),
    RoundTrip("\"é中😀\"", "é中😀"),
    RoundTrip(#""nul\u0000inside""#, "nul\u{0}inside"),
    RoundTrip(#""\u001f\u007f""#, "\u{1F}\u{7F}", "\"\\u001f\u{7F}\""),
    RoundTrip(#""\u2028\u2029""#, "\u{2028}\u{2029}", "\"\u{2028}\u{2029}\""),
    RoundTrip(#"{"path":"/data/images/a.tif"}"#, ["path": "/data/images/a.tif"]),
  ]

  @Test(arguments: roundTrips)
  func parsesAndSerialisesBack(_ example: RoundTrip) throws {
    let parsed = try JSONValue.parse(example.text)
    #expect(parsed == example.value)
    #expect(example.value.serialized() == example.canonical)
    #expect(try JSONValue.parse(example.canonical) == example.value)
  }

  @Test func keepsIntegersAndDoublesApart() throws {
    #expect(try JSONValue.parse("600") == .int(600))
    #expect(try JSONValue.parse("600.0") == .double(600))
    #expect(try JSONValue.parse("600") != JSONValue.double(600))
  }

  /// json-c keeps the first position and the last value of a repeated member name.
  @Test func repeatedMemberNameKeepsTheLastValue() throws {
    let parsed = try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#)
    #expect(parsed.objectValue?.keys == ["a", "b"])
    #expect(parsed["a"] == 3)
    #expect(parsed.serialized() == #"{"a":3,"b":2}"#)
  }

  @Test func acceptsAnyByteCollection() throws {
    let text = #"{"k":[1,"two"]}"#
    let expected: JSONValue = ["k": [1, "two"]]
    #expect(try JSONValue.parse(Array(text.utf8)) == expected)
    #expect(try JSONValue.parse(Array(text.utf8)[...]) == expected)
    #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }) == expected)
    #expect(try JSONValue.parse(text) == expected)
  }

  @Test func nestingUpToTheLimitIsAccepted() throws {
    let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    #expect(try JSONValue.parse(deep).serialized() == deep)
    let objects = String(repeating: #"{"a":"#, count: 64) + "1" + String(repeating: "}", count: 64)
    #expect(try JSONValue.parse(objects).serialized() == objects)
    #expect(try JSONValue.parse("[[1]]", maxDepth: 2) == [[1]])
    #expect(try JSONValue.parse("7", maxDepth: 0) == 7)
  }

  /// Seeded random values survive serialise → parse unchanged: every scalar value from U+0000
  /// up, doubles from random bit patterns, deep and wide containers.
  @Test func randomValuesRoundTrip() throws {
    var random = SplitMix(seed: 42)
    for _ in 0..<300 {
      let value = random.value(depth: 0)
      let line = value.serialized()
      #expect(!line.utf8.contains(UInt8(ascii: "\n")) && !line.utf8.contains(UInt8(ascii: "\r")))
      #expect(try JSONValue.parse(line) == value, "\(line)")
    }
  }
}
