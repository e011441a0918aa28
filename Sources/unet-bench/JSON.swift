import Foundation

/// A JSON value written by hand, keys in the order given (no Foundation encoder), so the line
/// reads like the peer script's.
indirect enum JSON {
  case number(Double)
  case int(Int)
  case string(String)
  case bool(Bool)
  case array([JSON])
  case object([(String, JSON)])

  var text: String {
    switch self {
    case .number(let v): return v.isFinite ? String(format: "%.6g", v) : "null"
    case .int(let v): return String(v)
    case .string(let s):
      return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        + "\""
    case .bool(let b): return b ? "true" : "false"
    case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
    case .object(let fields):
      return "{" + fields.map { JSON.string($0.0).text + ":" + $0.1.text }.joined(separator: ",") + "}"
    }
  }

  /// The fields of an object (empty for anything else).
  var fields: [(String, JSON)] {
    if case .object(let fields) = self { return fields }
    return []
  }
}
