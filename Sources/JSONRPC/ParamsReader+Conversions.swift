/// The type and range checks behind ``ParamsReader``'s accessors; each error names `field`.
extension ParamsReader {
  static func wrongType(_ field: String, expected: String, got value: JSONValue) -> RPCError {
    .invalidParams(field: field, "\"\(field)\" must be \(expected), got \(value.typeDescription)")
  }

  static func string(_ value: JSONValue, field: String) throws(RPCError) -> String {
    guard case .string(let text) = value else { throw wrongType(field, expected: "a string", got: value) }
    return text
  }

  static func choice(_ text: String, _ choices: [String], field: String) throws(RPCError) -> String {
    guard choices.contains(text) else {
      let list = choices.map { JSONValue.string($0).serialized() }.joined(separator: ", ")
      throw .invalidParams(
        field: field, "\"\(field)\" must be one of \(list), got \(JSONValue.string(text).serialized())")
    }
    return text
  }

  static func stringArray(
    _ value: JSONValue, minCount: Int, choices: [String]?, field: String
  ) throws(RPCError) -> [String] {
    guard case .array(let elements) = value else {
      throw wrongType(field, expected: "an array of strings", got: value)
    }
    guard elements.count >= minCount else {
      let needed = minCount == 1 ? "must not be empty" : "must have at least \(minCount) elements"
      throw .invalidParams(field: field, "\"\(field)\" \(needed)")
    }
    var strings: [String] = []
    strings.reserveCapacity(elements.count)
    for (position, element) in elements.enumerated() {
      let elementField = "\(field)[\(position)]"
      let text = try string(element, field: elementField)
      if let choices { _ = try choice(text, choices, field: elementField) }
      strings.append(text)
    }
    return strings
  }

  static func int(_ value: JSONValue, in range: ClosedRange<Int>, field: String) throws(RPCError) -> Int {
    let integer: Int
    switch value {
    case .int(let exact):
      integer = Int(exact)
    case .double(let number):
      guard number.rounded(.towardZero) == number else {
        throw .invalidParams(field: field, "\"\(field)\" must be a whole number, got \(value.serialized())")
      }
      guard let exact = Int(exactly: number) else { throw outOfRange(field, value, range) }
      integer = exact
    default:
      throw wrongType(field, expected: "a whole number", got: value)
    }
    guard range.contains(integer) else { throw outOfRange(field, value, range) }
    return integer
  }

  static func double(
    _ value: JSONValue, in range: ClosedRange<Double>, field: String
  ) throws(RPCError) -> Double {
    guard let number = value.doubleValue else { throw wrongType(field, expected: "a number", got: value) }
    guard range.contains(number) else { throw outOfRange(field, value, range) }
    return number
  }

  static func bool(_ value: JSONValue, field: String) throws(RPCError) -> Bool {
    guard case .bool(let flag) = value else { throw wrongType(field, expected: "true or false", got: value) }
    return flag
  }

  static func object(_ value: JSONValue, field: String) throws(RPCError) -> ParamsReader {
    guard case .object = value else { throw wrongType(field, expected: "an object", got: value) }
    return ParamsReader(value, path: field)
  }

  /// "must be between 1 and 10", "at least 1", "at most 10"; an infinite or extreme bound is open.
  private static func outOfRange<Bound: Comparable>(
    _ field: String, _ value: JSONValue, _ range: ClosedRange<Bound>
  ) -> RPCError {
    let lower = bound(range.lowerBound)
    let upper = bound(range.upperBound)
    let requirement: String
    switch (lower, upper) {
    case (let low?, let high?): requirement = "between \(low) and \(high)"
    case (let low?, nil): requirement = "at least \(low)"
    case (nil, let high?): requirement = "at most \(high)"
    case (nil, nil): requirement = "within the 64-bit integer range"
    }
    return .invalidParams(field: field, "\"\(field)\" must be \(requirement), got \(value.serialized())")
  }

  /// A bound as written in messages, nil when it stands for "no bound".
  private static func bound(_ value: some Comparable) -> String? {
    switch value {
    case let integer as Int:
      return integer == .min || integer == .max ? nil : String(integer)
    case let number as Double:
      guard number.isFinite else { return nil }
      if let integer = Int(exactly: number), abs(integer) < 1 << 53 { return String(integer) }
      return JSONValue.double(number).serialized()
    default:
      return "\(value)"
    }
  }
}
