/// A JSON-RPC error code: the standard ones, the -32800 "cancelled" code, and the worker's
/// application range (-32001 and below, see the protocol contract). An open set: any integer can
/// be wrapped, so new codes need no change here.
public struct ErrorCode: RawRepresentable, Sendable, Hashable {
  public let rawValue: Int

  public init(rawValue: Int) { self.rawValue = rawValue }

  /// The line is not valid JSON (also invalid UTF-8, too deep, too long); answered with id null.
  public static let parseError = ErrorCode(rawValue: -32700)
  /// Valid JSON, but not a request object.
  public static let invalidRequest = ErrorCode(rawValue: -32600)
  /// No method of that name.
  public static let methodNotFound = ErrorCode(rawValue: -32601)
  /// Params missing, of the wrong type, or out of range.
  public static let invalidParams = ErrorCode(rawValue: -32602)
  /// A bug in the worker; the worker stays up.
  public static let internalError = ErrorCode(rawValue: -32603)
  /// The request was cancelled (by `cancel` or `shutdown`).
  public static let cancelled = ErrorCode(rawValue: -32800)
  /// A file cannot be read: missing, unreadable, not a TIFF, corrupt, unsupported layout.
  public static let fileUnreadable = ErrorCode(rawValue: -32001)
  /// A file cannot be written.
  public static let fileUnwritable = ErrorCode(rawValue: -32002)
  /// Data do not fit together (image and label sizes differ, model channels differ).
  public static let dataMismatch = ErrorCode(rawValue: -32003)
}

extension ErrorCode: CustomStringConvertible {
  public var description: String { String(rawValue) }
}
