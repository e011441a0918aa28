import JSONRPC

/// `status`: the long requests that are running or queued, with their progress.
enum StatusMethod {
  static let spec = MethodSpec(
    name: "status",
    handler: .immediate { _, environment in
      .object(["requests": environment.requests.statusJSON()])
    })
}
