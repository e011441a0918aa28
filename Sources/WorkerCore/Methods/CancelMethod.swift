import JSONRPC

/// `cancel {"request": id}`: asks a running or queued request to stop. The request then
/// answers -32800 at its next check (between iterations or tiles).
enum CancelMethod {
  static let spec = MethodSpec(
    name: "cancel",
    handler: .immediate { params, environment in
      try params.rejectUnknownKeys(allowed: ["request"])
      let id = try params.requestID("request")
      return .object(["cancelled": .bool(environment.requests.cancel(id))])
    })
}
