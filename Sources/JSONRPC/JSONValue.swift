/// A JSON value as the protocol sees it: parsed from a line with ``parse(_:maxDepth:)`` and written
/// back as one line with ``serialized()``.
///
/// Numbers keep the distinction JSON text makes: a literal without fraction or exponent that fits
/// `Int64` is ``int(_:)``, every other number is ``double(_:)``. Equality follows the cases, so
/// `.int(1) != .double(1.0)`; readers that accept "any JSON number" use ``doubleValue`` or
/// ``int64Value``, which treat both alike.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)
}

// MARK: - Typed accessors

extension JSONValue {
  /// True for `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The value of a JSON boolean, else nil.
  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// The value of a JSON string, else nil.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// Any JSON number as a `Double` (an integer beyond 2^53 is rounded), else nil.
  public var doubleValue: Double? {
    switch self {
    case .int(let value): return Double(value)
    case .double(let value): return value
    default: return nil
    }
  }

  /// A JSON number that is a whole number within `Int64` (`600` and `600.0` alike), else nil.
  public var int64Value: Int64? {
    switch self {
    case .int(let value): return value
    case .double(let value): return Int64(exactly: value)
    default: return nil
    }
  }

  /// The elements of a JSON array, else nil.
  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// The members of a JSON object, else nil.
  public var objectValue: JSONObject? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// The member `key` of an object; nil when absent or when this is not an object.
  public subscript(key: String) -> JSONValue? {
    objectValue?[key]
  }

  /// The element at `index` of an array; nil when out of bounds or when this is not an array.
  public subscript(index: Int) -> JSONValue? {
    guard let elements = arrayValue, elements.indices.contains(index) else { return nil }
    return elements[index]
  }

  /// How error messages name this value's kind: "a string", "a number", "an object", "an array",
  /// "true", "false", "null".
  public var typeDescription: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .int, .double: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}

// MARK: - Literals

extension JSONValue: ExpressibleByBooleanLiteral {
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
  public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
}

/// `"img_\(index).tif"` builds a JSON string too.
extension JSONValue: ExpressibleByStringInterpolation {}

extension JSONValue: ExpressibleByArrayLiteral {
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
  /// Members keep the literal's order; a repeated key keeps its first position and its last value.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(elements))
  }
}

extension JSONValue: CustomStringConvertible {
  /// The one-line JSON text, as ``serialized()`` writes it.
  public var description: String { serialized() }
}
