/// A JSON-RPC error object: what a failed request answers.
///
/// The factories fill `data` the way the protocol contract fixes it, so a client can act on a
/// field name or a path without reading the message; messages are sentences for a human.
public struct RPCError: Error, Sendable, Equatable {
  public var code: ErrorCode
  public var message: String
  /// Extra detail, omitted from the message when nil.
  public var data: JSONValue?

  public init(code: ErrorCode, message: String, data: JSONValue? = nil) {
    self.code = code
    self.message = message
    self.data = data
  }

  /// The error object as it appears in a response: `{"code":…,"message":…,"data":…}`.
  public var json: JSONValue {
    var object: JSONObject = ["code": .int(Int64(code.rawValue)), "message": .string(message)]
    if let data { object["data"] = data }
    return .object(object)
  }
}

// MARK: - Factories (one per row of the contract's error table)

extension RPCError {
  /// -32700: the line is not JSON (or not UTF-8, too deep, too long); data `{"reason": reason}`.
  public static func parseError(_ reason: String) -> RPCError {
    RPCError(code: .parseError, message: "parse error: \(reason)", data: ["reason": .string(reason)])
  }

  /// -32700 for a line that ``LineFramer`` dropped as too long.
  public static func lineTooLong(byteCount: Int, limit: Int) -> RPCError {
    parseError("the line has \(byteCount) bytes, more than the limit of \(limit)")
  }

  /// -32600: valid JSON, but not a request object.
  public static func invalidRequest(_ message: String) -> RPCError {
    RPCError(code: .invalidRequest, message: message)
  }

  /// -32601: no such method; data `{"method": method}`.
  public static func methodNotFound(_ method: String) -> RPCError {
    RPCError(
      code: .methodNotFound, message: "unknown method \(JSONValue.string(method))",
      data: ["method": .string(method)])
  }

  /// -32602: a param is missing, of the wrong type or out of range; data `{"field": field}` with
  /// the dotted path of the param (`"config.sigma"`, `"images[2]"`).
  public static func invalidParams(field: String, _ message: String) -> RPCError {
    RPCError(code: .invalidParams, message: message, data: ["field": .string(field)])
  }

  /// -32800: the request was cancelled.
  public static let cancelled = RPCError(code: .cancelled, message: "the request was cancelled")

  /// -32001: a file cannot be read; data `{"path": path}`.
  public static func fileUnreadable(path: String, _ message: String) -> RPCError {
    RPCError(code: .fileUnreadable, message: message, data: ["path": .string(path)])
  }

  /// -32002: a file cannot be written; data `{"path": path}`.
  public static func fileUnwritable(path: String, _ message: String) -> RPCError {
    RPCError(code: .fileUnwritable, message: message, data: ["path": .string(path)])
  }

  /// -32003: data do not fit together; `data` says which (e.g. both sizes and both paths).
  public static func dataMismatch(_ message: String, _ data: JSONValue? = nil) -> RPCError {
    RPCError(code: .dataMismatch, message: message, data: data)
  }

  /// -32603: a bug; the worker stays up.
  public static func internalError(_ message: String) -> RPCError {
    RPCError(code: .internalError, message: "internal error: \(message)")
  }
}

extension RPCError: CustomStringConvertible {
  public var description: String { "\(code.rawValue): \(message)" }
}
