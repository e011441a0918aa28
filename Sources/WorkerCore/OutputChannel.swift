import JSONRPC

/// The single writer of protocol lines: serialises responses and notifications from the
/// reader thread and the job thread so that lines never interleave.
public final class OutputChannel: Sendable {
  private let transport: any Transport
  private let writing = Locked(())

  public init(transport: any Transport) {
    self.transport = transport
  }

  /// Sends a result for request `id`.
  public func respond(id: RequestID, result: JSONValue) {
    send(OutgoingMessage.response(id: id, result: result))
  }

  /// Sends an error for request `id` (nil: a message whose id could not be read).
  public func respond(id: RequestID?, error: RPCError) {
    send(OutgoingMessage.error(id: id, error: error))
  }

  /// Sends a notification (`progress`, `log`).
  public func notify(method: String, params: JSONValue) {
    send(OutgoingMessage.notification(method: method, params: params))
  }

  private func send(_ line: String) {
    writing.withLock { _ in transport.write(line: line) }
  }
}
