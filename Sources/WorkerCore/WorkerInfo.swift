/// Name and versions that `initialize` and `--version` report.
public enum WorkerInfo {
  public static let name = "unet-worker"
  public static let version = "0.1.0"
  /// The protocol's version (Protocol/README.md); bumped when a client-visible field changes.
  public static let protocolVersion = "1.0"
}
