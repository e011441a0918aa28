import JSONRPC

/// `initialize`: who the worker is and what it answers.
enum InitializeMethod {
  static let spec = MethodSpec(
    name: "initialize",
    handler: .immediate { _, environment in
      .object([
        "name": .string(WorkerInfo.name),
        "version": .string(WorkerInfo.version),
        "protocol_version": .string(WorkerInfo.protocolVersion),
        "methods": .array(environment.methodNames.map { .string($0) }),
        "threads": .int(Int64(environment.parallel.threads)),
      ])
    })
}
