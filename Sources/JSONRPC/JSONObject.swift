/// The members of a JSON object, in insertion order, with lookup by key.
///
/// Serialisation writes members in this order, so recorded transcripts are stable. Keys are unique:
/// setting an existing key replaces its value in place (the key keeps its first position), which is
/// also what a parsed object with a repeated key holds ("last value wins"). Equality ignores order,
/// as JSON objects are unordered: `{"a":1,"b":2} == {"b":2,"a":1}`.
public struct JSONObject: Sendable {
  /// Members in insertion order.
  private var entries: [(key: String, value: JSONValue)] = []
  /// Position of each key in `entries`, built once the object outgrows a linear search, so
  /// lookups stay O(1) for objects with many members while small objects allocate no table.
  private var positions: [String: Int]?
  /// Up to this many members a linear search is cheaper than hashing.
  private static let linearSearchLimit = 16

  /// An empty object.
  public init() {}

  /// An object holding `members` in order; a repeated key keeps its first position and last value.
  public init(_ members: some Sequence<(String, JSONValue)>) {
    for (key, value) in members { self[key] = value }
  }

  /// Number of members.
  public var count: Int { entries.count }

  /// True when the object has no members.
  public var isEmpty: Bool { entries.isEmpty }

  /// The keys in insertion order.
  public var keys: [String] { entries.map(\.key) }

  /// True when `key` is a member (even when its value is `null`).
  public func contains(_ key: String) -> Bool { position(of: key) != nil }

  /// The value of `key`, nil when absent. Setting nil removes the member; setting an existing key
  /// replaces its value and keeps its position; a new key goes last.
  public subscript(key: String) -> JSONValue? {
    get {
      guard let position = position(of: key) else { return nil }
      return entries[position].value
    }
    set {
      guard let newValue else {
        removeValue(forKey: key)
        return
      }
      if let position = position(of: key) {
        entries[position].value = newValue
        return
      }
      entries.append((key: key, value: newValue))
      if positions != nil {
        positions?[key] = entries.count - 1
      } else if entries.count > Self.linearSearchLimit {
        rebuildPositions()
      }
    }
  }

  /// Removes `key` and returns its value (O(count): later members move up).
  @discardableResult
  public mutating func removeValue(forKey key: String) -> JSONValue? {
    guard let position = position(of: key) else { return nil }
    let removed = entries.remove(at: position).value
    if positions != nil { rebuildPositions() }
    return removed
  }

  private func position(of key: String) -> Int? {
    if let positions { return positions[key] }
    return entries.firstIndex { $0.key == key }
  }

  private mutating func rebuildPositions() {
    var table: [String: Int] = [:]
    table.reserveCapacity(entries.count)
    for (index, entry) in entries.enumerated() { table[entry.key] = index }
    positions = table
  }
}

extension JSONObject: Sequence {
  public typealias Element = (key: String, value: JSONValue)

  /// Iterates the members in insertion order.
  public func makeIterator() -> IndexingIterator<[Element]> {
    entries.makeIterator()
  }

  public var underestimatedCount: Int { entries.count }
}

extension JSONObject: Equatable {
  /// Same keys with equal values, in any order.
  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.count == rhs.count else { return false }
    for (key, value) in lhs.entries where rhs[key] != value { return false }
    return true
  }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
  /// Members keep the literal's order.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self.init(elements)
  }
}
