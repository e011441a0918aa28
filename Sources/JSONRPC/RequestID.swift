/// The `id` of a JSON-RPC request: an integer or a string, echoed in the response with the same
/// JSON type.
///
/// `null` is not accepted as an id (JSON-RPC 2.0 discourages it, and a response with id `null`
/// would look like the answer to an unreadable line). A number with a fraction (`1.5`) is not an
/// id; a whole number written with a fraction part (`1.0`) is read as the integer 1, because JSON
/// does not distinguish the two and the client then matches the response by value.
public enum RequestID: Sendable, Hashable {
  case int(Int64)
  case string(String)

  /// The id held by `json`, or nil when `json` is not an integer or a string.
  public init?(json: JSONValue) {
    switch json {
    case .string(let text): self = .string(text)
    case .int, .double:
      guard let integer = json.int64Value else { return nil }
      self = .int(integer)
    default: return nil
    }
  }

  /// The id as it appears in a message.
  public var json: JSONValue {
    switch self {
    case .int(let integer): return .int(integer)
    case .string(let text): return .string(text)
    }
  }
}

extension RequestID: CustomStringConvertible {
  /// The id as JSON text: `7` or `"job-7"`.
  public var description: String { json.serialized() }
}

extension RequestID: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int64) { self = .int(value) }
}

extension RequestID: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
}
