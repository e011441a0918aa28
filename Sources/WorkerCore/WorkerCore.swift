/// The worker's library: everything `unet-worker` does, behind a transport.
public enum WorkerInfo {
  public static let name = "unet-worker"
  public static let version = "0.1.0"
  public static let protocolVersion = "1.0"
}
