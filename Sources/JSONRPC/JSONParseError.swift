/// Why a byte sequence is not accepted as JSON. The protocol turns every one of these into a
/// -32700 parse error whose `data.reason` is ``reason``.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The class of problem, for callers and tests that branch on it.
  public enum Kind: Sendable, Equatable {
    /// The bytes are not UTF-8 (a bad or truncated sequence, an overlong form, a surrogate).
    case invalidUTF8
    /// Not JSON text: an unexpected character, a missing separator, trailing characters, an
    /// unterminated string, a bad escape, a raw control character, NaN, a comment, and so on.
    case syntax
    /// Arrays and objects nest deeper than the allowed depth.
    case tooDeep
    /// A number too large for a 64-bit float (e.g. `1e400`).
    case numberOutOfRange
  }

  /// The class of problem.
  public let kind: Kind
  /// Byte offset in the input where the problem was found, when known.
  public let offset: Int?
  /// A sentence for a human, including the offset when known.
  public let reason: String

  public init(kind: Kind, offset: Int?, reason: String) {
    self.kind = kind
    self.offset = offset
    self.reason = reason
  }

  /// A problem at byte `offset`; the reason reads "<problem> at byte <offset>".
  static func at(_ offset: Int, _ kind: Kind, _ problem: String) -> JSONParseError {
    JSONParseError(kind: kind, offset: offset, reason: "\(problem) at byte \(offset)")
  }

  public var description: String { reason }
}
