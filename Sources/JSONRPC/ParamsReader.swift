/// Reads named params and says exactly which one is wrong.
///
/// Every error is -32602 (``RPCError/invalidParams(field:_:)``) with `data.field` set to the dotted
/// path of the param (`"iterations"`, `"config.sigma"`, `"images[2]"`) and a message a user
/// understands (`"config.sigma" must be a number, got a string`).
///
/// - Omitted params (nil) read as an empty object, so required fields report as missing.
/// - Params that are not an object (e.g. positional params in an array) fail on first access
///   with field `"params"` (or the reader's path).
/// - Required accessors fail on a missing member; an explicit `null` fails as a wrong type.
///   Optional accessors (`optional…`) return nil for a missing member and for `null`.
/// - Numbers follow the contract: any JSON number is accepted where a number is expected, and an
///   integer field takes `600` and `600.0` but rejects `600.5`.
public struct ParamsReader: Sendable {
  /// The dotted path of this reader's object ("" for the top-level params).
  public let path: String
  private let params: JSONValue?

  /// - Parameters:
  ///   - params: the request's params as decoded (nil when omitted).
  ///   - path: where these params sit, for nested readers (`"config"`).
  public init(_ params: JSONValue?, path: String = "") {
    self.params = params
    self.path = path
  }

  /// The dotted path of member `key`, as errors name it.
  public func field(_ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
  }

  /// True when `key` is present with a value other than `null`.
  public func contains(_ key: String) throws(RPCError) -> Bool {
    try optional(key) != nil
  }

  /// The raw member `key` (nil when absent; `null` is returned as ``JSONValue/null``).
  public func value(_ key: String) throws(RPCError) -> JSONValue? {
    try members()[key]
  }

  // MARK: - Strings

  public func string(_ key: String) throws(RPCError) -> String {
    try Self.string(required(key), field: field(key))
  }

  public func optionalString(_ key: String) throws(RPCError) -> String? {
    guard let value = try optional(key) else { return nil }
    return try Self.string(value, field: field(key))
  }

  /// A string that must be one of `choices` (e.g. `"sgd"` or `"adam"`).
  public func string(_ key: String, oneOf choices: [String]) throws(RPCError) -> String {
    try Self.choice(string(key), choices, field: field(key))
  }

  public func optionalString(_ key: String, oneOf choices: [String]) throws(RPCError) -> String? {
    guard let text = try optionalString(key) else { return nil }
    return try Self.choice(text, choices, field: field(key))
  }

  /// An array of strings with at least `minCount` elements, each one of `choices` when given
  /// (e.g. `outputs`); an element's error names `key[i]`.
  public func stringArray(
    _ key: String, minCount: Int = 0, oneOf choices: [String]? = nil
  ) throws(RPCError) -> [String] {
    try Self.stringArray(required(key), minCount: minCount, choices: choices, field: field(key))
  }

  public func optionalStringArray(
    _ key: String, minCount: Int = 0, oneOf choices: [String]? = nil
  ) throws(RPCError) -> [String]? {
    guard let value = try optional(key) else { return nil }
    return try Self.stringArray(value, minCount: minCount, choices: choices, field: field(key))
  }

  // MARK: - Numbers and booleans

  /// A whole number (`600` or `600.0`) within `range`.
  public func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(RPCError) -> Int {
    try Self.int(required(key), in: range, field: field(key))
  }

  public func optionalInt(
    _ key: String, in range: ClosedRange<Int> = Int.min...Int.max
  ) throws(RPCError) -> Int? {
    guard let value = try optional(key) else { return nil }
    return try Self.int(value, in: range, field: field(key))
  }

  /// Any JSON number within `range`.
  public func double(
    _ key: String, in range: ClosedRange<Double> = -Double.infinity...Double.infinity
  ) throws(RPCError) -> Double {
    try Self.double(required(key), in: range, field: field(key))
  }

  public func optionalDouble(
    _ key: String, in range: ClosedRange<Double> = -Double.infinity...Double.infinity
  ) throws(RPCError) -> Double? {
    guard let value = try optional(key) else { return nil }
    return try Self.double(value, in: range, field: field(key))
  }

  public func bool(_ key: String) throws(RPCError) -> Bool {
    try Self.bool(required(key), field: field(key))
  }

  public func optionalBool(_ key: String) throws(RPCError) -> Bool? {
    guard let value = try optional(key) else { return nil }
    return try Self.bool(value, field: field(key))
  }

  /// A request id (an integer or a string), e.g. `cancel`'s `request`.
  public func requestID(_ key: String) throws(RPCError) -> RequestID {
    let value = try required(key)
    guard let id = RequestID(json: value) else {
      throw Self.wrongType(field(key), expected: "an integer or a string", got: value)
    }
    return id
  }

  // MARK: - Objects

  /// A reader for the object `key`, whose errors name `key.member`.
  public func nested(_ key: String) throws(RPCError) -> ParamsReader {
    try Self.object(required(key), field: field(key))
  }

  /// A reader for the object `key`, or nil when it is absent or `null`.
  public func optionalNested(_ key: String) throws(RPCError) -> ParamsReader? {
    guard let value = try optional(key) else { return nil }
    return try Self.object(value, field: field(key))
  }

  /// Fails on the first member (in the client's order) whose name is not in `allowed`, so a typo
  /// such as `"sigmaa"` is an error rather than silently ignored.
  public func rejectUnknownKeys(allowed: [String]) throws(RPCError) {
    let known = Set(allowed)
    for (key, _) in try members() where !known.contains(key) {
      let list = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
      throw .invalidParams(field: field(key), "unknown field \"\(field(key))\" (known fields: \(list))")
    }
  }

  // MARK: - Access

  private func members() throws(RPCError) -> JSONObject {
    guard let params else { return JSONObject() }
    guard case .object(let members) = params else {
      throw Self.wrongType(path.isEmpty ? "params" : path, expected: "an object", got: params)
    }
    return members
  }

  private func required(_ key: String) throws(RPCError) -> JSONValue {
    guard let value = try members()[key] else {
      throw .invalidParams(field: field(key), "missing required field \"\(field(key))\"")
    }
    return value
  }

  private func optional(_ key: String) throws(RPCError) -> JSONValue? {
    guard let value = try members()[key], !value.isNull else { return nil }
    return value
  }
}
