import JSONRPC

/// A seeded generator of JSON values for round-trip tests.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

  mutating func scalar() -> Unicode.Scalar {
    let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
    let range = ranges[below(ranges.count)]
    let code = range.lowerBound + UInt32(below(Int(range.upperBound - range.lowerBound) + 1))
    return Unicode.Scalar(code) ?? "?"
  }

  /// Member names avoid U+0000, which json-c cannot hold in a name (documented in serialized()).
  mutating func string(isMemberName: Bool = false) -> String {
    var text = ""
    for _ in 0..<below(12) {
      let next = scalar()
      text.unicodeScalars.append(isMemberName && next == "\u{0}" ? "k" : next)
    }
    return text
  }

  mutating func value(depth: Int) -> JSONValue {
    switch below(depth > 4 ? 5 : 7) {
    case 0: return .null
    case 1: return .bool(below(2) == 0)
    case 2: return .int(Int64(bitPattern: next()) >> below(64))
    case 3:
      let number = Double(bitPattern: next())
      return .double(number.isFinite ? number : Double(below(1000)) / 7)
    case 4: return .string(string())
    case 5: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
    default:
      var members = JSONObject()
      for _ in 0..<below(5) { members[string(isMemberName: true)] = value(depth: depth + 1) }
      return .object(members)
    }
  }
}
