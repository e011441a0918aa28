import JSONRPC

/// `shutdown`: cancels what is running or queued (each answers -32800), answers `{}`, and
/// the worker exits 0. The worker loop handles it itself, since it ends the loop.
enum ShutdownMethod {
  static let name = "shutdown"
  static let spec = MethodSpec(name: name, handler: .immediate { _, _ in .object([:]) })
}
