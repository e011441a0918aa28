/// The lines the worker writes. Each is one line of compact JSON without the trailing `\n` (the
/// transport adds it), members in the order of the contract's examples: `jsonrpc`, `id`, then
/// `result`/`error`, or `jsonrpc`, `method`, `params`.
public enum OutgoingMessage {
  /// `{"jsonrpc":"2.0","id":…,"result":…}`.
  public static func response(id: RequestID, result: JSONValue) -> String {
    JSONValue.object(["jsonrpc": "2.0", "id": id.json, "result": result]).serialized()
  }

  /// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…,"data":…}}`; id `null` when nil
  /// (the answer to a line whose id could not be read).
  public static func error(id: RequestID?, error: RPCError) -> String {
    JSONValue.object(["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]).serialized()
  }

  /// `{"jsonrpc":"2.0","method":…,"params":…}`, without `params` when nil.
  public static func notification(method: String, params: JSONValue?) -> String {
    var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
    if let params { message["params"] = params }
    return JSONValue.object(message).serialized()
  }

  /// `{"jsonrpc":"2.0","id":…,"method":…,"params":…}`, without `params` when nil: what a client
  /// sends (for tests and client tools written in Swift).
  public static func request(id: RequestID, method: String, params: JSONValue?) -> String {
    var message: JSONObject = ["jsonrpc": "2.0", "id": id.json, "method": .string(method)]
    if let params { message["params"] = params }
    return JSONValue.object(message).serialized()
  }
}
