/// Ordered string key-value pairs stored with a model: the worker keeps normalisation
/// settings and the training history here. Keys are unique; setting an existing key keeps its
/// position, a new key goes to the end, assigning nil removes.
public struct ModelMetadata: Equatable, Sendable, ExpressibleByDictionaryLiteral {
  public struct Entry: Equatable, Sendable {
    public var key: String
    public var value: String
  }

  public private(set) var entries: [Entry] = []

  public init() {}

  /// Later duplicates of a key replace earlier ones (in the earlier position).
  public init(_ pairs: [(String, String)]) {
    for (key, value) in pairs { self[key] = value }
  }

  public init(dictionaryLiteral elements: (String, String)...) {
    self.init(elements)
  }

  public subscript(key: String) -> String? {
    get { entries.first { $0.key == key }?.value }
    set {
      let index = entries.firstIndex { $0.key == key }
      switch (index, newValue) {
      case (let i?, let value?): entries[i].value = value
      case (let i?, nil): entries.remove(at: i)
      case (nil, let value?): entries.append(Entry(key: key, value: value))
      case (nil, nil): break
      }
    }
  }

  public var keys: [String] { entries.map(\.key) }
  public var count: Int { entries.count }
  public var isEmpty: Bool { entries.isEmpty }
}
