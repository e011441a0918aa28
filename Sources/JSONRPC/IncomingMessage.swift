/// A message a client sent: a request (answered exactly once) or a notification (never answered).
public enum IncomingMessage: Sendable, Equatable {
  case request(id: RequestID, method: String, params: JSONValue?)
  case notification(method: String, params: JSONValue?)

  /// The method name.
  public var method: String {
    switch self {
    case .request(_, let method, _), .notification(let method, _): return method
    }
  }

  /// The params as sent (an object or an array), nil when omitted.
  public var params: JSONValue? {
    switch self {
    case .request(_, _, let params), .notification(_, let params): return params
    }
  }
}

/// A line that is not a usable message: the error to answer with, and the id to answer to.
///
/// Every failure is answered, even when the line had no id (then with id `null`), as JSON-RPC 2.0
/// answers invalid requests: a client that sent garbage learns why instead of waiting.
public struct DecodingFailure: Error, Sendable, Equatable {
  /// -32700 or -32600, with a message that says what is wrong.
  public var error: RPCError
  /// The request's id when it could be read, else nil (answered as `null`).
  public var id: RequestID?

  public init(error: RPCError, id: RequestID?) {
    self.error = error
    self.id = id
  }

  /// The error response line for this failure.
  public var response: String { OutgoingMessage.error(id: id, error: error) }
}

extension IncomingMessage {
  /// Decodes one framed line (see ``LineFramer``) into a message.
  ///
  /// The rules, in the order they are checked:
  /// 1. Not JSON (also invalid UTF-8, nesting deeper than `maxDepth`) → -32700, id null,
  ///    `data.reason` from ``JSONParseError``.
  /// 2. A JSON array (a batch, even empty) → one -32600 with id null: batches are not supported.
  ///    Any other non-object → -32600 with id null.
  /// 3. `id`: absent means a notification. Present, it must be an integer or a string (see
  ///    ``RequestID``: `1.0` reads as 1; `1.5`, `null`, booleans, arrays, objects do not) or the
  ///    answer is -32600 with id null.
  /// 4. `jsonrpc` must be the string `"2.0"` → else -32600 with the id.
  /// 5. `method` must be present and a string → else -32600 with the id.
  /// 6. `params`, when present, must be an object or an array (`null` included in the refusal,
  ///    as JSON-RPC 2.0 says) → else -32600 with the id.
  /// Other members (`result`, `error`, extensions) are ignored.
  public static func decode(line: [UInt8], maxDepth: Int = 64) -> Result<IncomingMessage, DecodingFailure> {
    let value: JSONValue
    do {
      value = try JSONValue.parse(line, maxDepth: maxDepth)
    } catch {
      return .failure(DecodingFailure(error: .parseError(error.reason), id: nil))
    }
    return decode(value)
  }

  /// Decodes an already parsed message (rules 2 to 6 of ``decode(line:maxDepth:)``).
  public static func decode(_ value: JSONValue) -> Result<IncomingMessage, DecodingFailure> {
    guard case .object(let members) = value else {
      let message =
        value.arrayValue != nil
        ? "batches (JSON arrays) are not supported: send one request object per line"
        : "a message must be a JSON object, got \(value.typeDescription)"
      return .failure(DecodingFailure(error: .invalidRequest(message), id: nil))
    }
    var id: RequestID?
    if let idValue = members["id"] {
      guard let readable = RequestID(json: idValue) else {
        let message = "\"id\" must be an integer or a string, got \(idValue.typeDescription)"
        return .failure(DecodingFailure(error: .invalidRequest(message), id: nil))
      }
      id = readable
    }
    func failure(_ message: String) -> Result<IncomingMessage, DecodingFailure> {
      .failure(DecodingFailure(error: .invalidRequest(message), id: id))
    }
    guard members["jsonrpc"] == "2.0" else {
      let got = members["jsonrpc"].map { $0.serialized() } ?? "nothing"
      return failure("\"jsonrpc\" must be \"2.0\", got \(got)")
    }
    guard let methodValue = members["method"] else { return failure("\"method\" is missing") }
    guard case .string(let method) = methodValue else {
      return failure("\"method\" must be a string, got \(methodValue.typeDescription)")
    }
    let params = members["params"]
    if let params, params.objectValue == nil && params.arrayValue == nil {
      return failure("\"params\" must be an object or an array, got \(params.typeDescription)")
    }
    if let id { return .success(.request(id: id, method: method, params: params)) }
    return .success(.notification(method: method, params: params))
  }
}
