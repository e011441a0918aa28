import WorkerCore

print("\(WorkerInfo.name) \(WorkerInfo.version): the JSON-RPC loop is not wired yet")
