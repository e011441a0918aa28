/// The strictness gate in front of json-c: checks that bytes are exactly one JSON text (RFC 8259)
/// in UTF-8, without building anything.
///
/// json-c 0.16's `JSON_TOKENER_STRICT` still accepts single-quoted strings, `NaN`, `Infinity`,
/// `-01`, `1.`, raw control characters in strings, lone surrogate escapes (turned into U+FFFD) and
/// `\u0000` in member names (silently truncated); it clamps integers beyond 64 bits. This scanner
/// rejects all of those, validates UTF-8 (no overlong forms, no encoded surrogates, nothing above
/// U+10FFFF), enforces the depth limit, and reports the integer literals outside `Int64` so the
/// parser can hand them to json-c as floating-point literals instead. One pass, no allocation
/// unless such an integer occurs.
struct StrictJSONScanner {
  private enum Container { case array, object }
  private enum Expectation { case value, valueOrClose, key, keyOrClose, colon, separatorOrClose, end }

  private let bytes: UnsafeBufferPointer<UInt8>
  private let maxDepth: Int
  private var index = 0
  /// Offsets just past each integer literal that does not fit `Int64`.
  private var wideIntegerEnds: [Int] = []

  /// Checks `bytes`; returns the offsets just past each integer literal outside `Int64`.
  /// - Parameter maxDepth: the deepest nesting of arrays and objects accepted (`[[1]]` is 2).
  static func validate(
    _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int
  ) throws(JSONParseError) -> [Int] {
    var scanner = StrictJSONScanner(bytes: bytes, maxDepth: maxDepth)
    try scanner.scanText()
    return scanner.wideIntegerEnds
  }

  private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
    self.bytes = bytes
    self.maxDepth = maxDepth
  }

  // MARK: - Structure

  /// The grammar as a state machine over an explicit stack, so depth never costs recursion.
  private mutating func scanText() throws(JSONParseError) {
    var stack: [Container] = []
    var expectation = Expectation.value
    while true {
      skipWhitespace()
      guard index < bytes.count else {
        if expectation == .end { return }
        let what = stack.isEmpty ? "a JSON value" : "the rest of the JSON value"
        throw JSONParseError.at(index, .syntax, "expected \(what), found the end of the line")
      }
      let byte = bytes[index]
      switch expectation {
      case .value, .valueOrClose:
        if byte == UInt8(ascii: "]") && expectation == .valueOrClose {
          expectation = close(&stack)
          continue
        }
        switch byte {
        case UInt8(ascii: "{"):
          try open(.object, on: &stack)
          expectation = .keyOrClose
          continue
        case UInt8(ascii: "["):
          try open(.array, on: &stack)
          expectation = .valueOrClose
          continue
        case UInt8(ascii: "\""): try scanString(isMemberName: false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        default: throw try unexpected(expected: "a JSON value")
        }
        expectation = stack.isEmpty ? .end : .separatorOrClose
      case .key, .keyOrClose:
        if byte == UInt8(ascii: "}") && expectation == .keyOrClose {
          expectation = close(&stack)
          continue
        }
        guard byte == UInt8(ascii: "\"") else {
          throw try unexpected(expected: "a double-quoted member name")
        }
        try scanString(isMemberName: true)
        expectation = .colon
      case .colon:
        guard byte == UInt8(ascii: ":") else { throw try unexpected(expected: "':' after a member name") }
        index += 1
        expectation = .value
      case .separatorOrClose:
        let isObject = stack.last == .object
        let closing = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        if byte == UInt8(ascii: ",") {
          index += 1
          expectation = isObject ? .key : .value
        } else if byte == closing {
          expectation = close(&stack)
        } else {
          throw try unexpected(expected: isObject ? "',' or '}'" : "',' or ']'")
        }
      case .end:
        throw try unexpected(expected: "the end of the line after the JSON value")
      }
    }
  }

  private mutating func open(_ container: Container, on stack: inout [Container]) throws(JSONParseError) {
    guard stack.count < maxDepth else {
      throw JSONParseError.at(index, .tooDeep, "arrays and objects nest deeper than \(maxDepth) levels")
    }
    stack.append(container)
    index += 1
  }

  /// Consumes the closing bracket of the innermost container; returns what may follow it.
  private mutating func close(_ stack: inout [Container]) -> Expectation {
    index += 1
    stack.removeLast()
    return stack.isEmpty ? .end : .separatorOrClose
  }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
      default: return
      }
    }
  }

  /// The error for the byte at `index` where `expected` should be; names common non-JSON forms.
  private func unexpected(expected: String) throws(JSONParseError) -> JSONParseError {
    let byte = bytes[index]
    if byte >= 0x80 {
      _ = try utf8SequenceLength(at: index)  // invalid UTF-8 is reported as such
      return .at(index, .syntax, "expected \(expected), found a non-ASCII character")
    }
    let hint: String
    switch byte {
    case UInt8(ascii: "'"): hint = " (strings take double quotes)"
    case UInt8(ascii: "/"), UInt8(ascii: "#"): hint = " (JSON has no comments)"
    case UInt8(ascii: "N"), UInt8(ascii: "I"): hint = " (NaN and Infinity are not JSON numbers)"
    default: hint = ""
    }
    return .at(index, .syntax, "expected \(expected), found \(Self.describe(byte))\(hint)")
  }

  private static func describe(_ byte: UInt8) -> String {
    if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    return "byte 0x\(hex(byte))"
  }

  private static func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
  }

  // MARK: - Scalars

  /// A string from its opening quote to just past its closing quote.
  private mutating func scanString(isMemberName: Bool) throws(JSONParseError) {
    let start = index
    index += 1
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return
      case UInt8(ascii: "\\"):
        try scanEscape(isMemberName: isMemberName)
      case 0..<0x20:
        throw JSONParseError.at(
          index, .syntax, "raw control character 0x\(Self.hex(byte)) in a string (write it as an escape)")
      case 0x80...:
        index += try utf8SequenceLength(at: index)
      default:
        index += 1
      }
    }
    throw JSONParseError.at(start, .syntax, "unterminated string")
  }

  /// One escape sequence starting at the backslash; `\u` surrogates must come as a high-low pair.
  private mutating func scanEscape(isMemberName: Bool) throws(JSONParseError) {
    let start = index
    guard index + 1 < bytes.count else { throw JSONParseError.at(start, .syntax, "unterminated string") }
    switch bytes[index + 1] {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
      UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
      index += 2
    case UInt8(ascii: "u"):
      let unit = try hexQuad(at: index + 2)
      index += 6
      switch unit {
      case 0xD800...0xDBFF:
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
          bytes[index + 1] == UInt8(ascii: "u"),
          (0xDC00...0xDFFF).contains(try hexQuad(at: index + 2))
        else {
          throw JSONParseError.at(start, .syntax, "\\u escape of a high surrogate without its low surrogate")
        }
        index += 6
      case 0xDC00...0xDFFF:
        throw JSONParseError.at(start, .syntax, "\\u escape of a low surrogate without its high surrogate")
      case 0 where isMemberName:
        throw JSONParseError.at(start, .syntax, "\\u0000 in a member name")
      default:
        break
      }
    default:
      throw JSONParseError.at(
        start, .syntax, "invalid escape \\\(Self.describe(bytes[index + 1])) in a string")
    }
  }

  /// The four hex digits of a `\u` escape starting at `offset`.
  private func hexQuad(at offset: Int) throws(JSONParseError) -> UInt16 {
    guard offset + 4 <= bytes.count else {
      throw JSONParseError.at(offset, .syntax, "\\u escape needs four hex digits")
    }
    var unit: UInt16 = 0
    for byte in bytes[offset..<offset + 4] {
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw JSONParseError.at(offset, .syntax, "\\u escape needs four hex digits")
      }
      unit = unit << 4 | UInt16(digit)
    }
    return unit
  }

  /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; notes integers outside `Int64`.
  private mutating func scanNumber() throws(JSONParseError) {
    let start = index
    let isNegative = bytes[index] == UInt8(ascii: "-")
    if isNegative { index += 1 }
    let digitsStart = index
    guard isDigit(at: index) else {
      throw JSONParseError.at(start, .syntax, "invalid number: '-' must be followed by a digit")
    }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if isDigit(at: index) {
        throw JSONParseError.at(start, .syntax, "invalid number: leading zeros are not allowed")
      }
    } else {
      skipDigits()
    }
    let digitsEnd = index
    var isInteger = true
    if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard isDigit(at: index) else {
        throw JSONParseError.at(start, .syntax, "invalid number: '.' must be followed by a digit")
      }
      skipDigits()
      isInteger = false
    }
    if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
      index += 1
      if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
        index += 1
      }
      guard isDigit(at: index) else {
        throw JSONParseError.at(start, .syntax, "invalid number: the exponent needs a digit")
      }
      skipDigits()
      isInteger = false
    }
    if isInteger && !fitsInt64(digitsStart..<digitsEnd, isNegative: isNegative) {
      wideIntegerEnds.append(index)
    }
  }

  private func isDigit(at offset: Int) -> Bool {
    offset < bytes.count && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
  }

  private mutating func skipDigits() {
    while isDigit(at: index) { index += 1 }
  }

  /// Whether the decimal digits (no leading zeros) with that sign fit `Int64`.
  private func fitsInt64(_ digits: Range<Int>, isNegative: Bool) -> Bool {
    let limit = Array((isNegative ? "9223372036854775808" : "9223372036854775807").utf8)
    if digits.count != limit.count { return digits.count < limit.count }
    return !limit.lexicographicallyPrecedes(bytes[digits])
  }

  private mutating func scanLiteral(_ literal: StaticString) throws(JSONParseError) {
    let count = literal.utf8CodeUnitCount
    let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
    guard index + count <= bytes.count, bytes[index..<index + count].elementsEqual(expected) else {
      throw JSONParseError.at(index, .syntax, "expected '\(literal)'")
    }
    index += count
  }

  // MARK: - UTF-8

  /// Length of the valid UTF-8 sequence starting at `offset` (RFC 3629, Table 3-7 of Unicode:
  /// no overlong forms, no surrogates, nothing above U+10FFFF).
  private func utf8SequenceLength(at offset: Int) throws(JSONParseError) -> Int {
    let length: Int
    let second: ClosedRange<UInt8>
    switch bytes[offset] {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
    case 0xE0: (length, second) = (3, 0xA0...0xBF)
    case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
    case 0xED: (length, second) = (3, 0x80...0x9F)
    case 0xF0: (length, second) = (4, 0x90...0xBF)
    case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
    case 0xF4: (length, second) = (4, 0x80...0x8F)
    default: throw JSONParseError.at(offset, .invalidUTF8, "invalid UTF-8")
    }
    guard offset + length <= bytes.count, second.contains(bytes[offset + 1]),
      bytes[offset + 2..<offset + length].allSatisfy({ (0x80...0xBF).contains($0) })
    else {
      throw JSONParseError.at(offset, .invalidUTF8, "invalid UTF-8")
    }
    return length
  }
}
