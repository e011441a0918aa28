#if canImport(Glibc)
  import Glibc
#endif

/// The worker's command line: `--help`, `--version`, `--threads N`, `--appose`. Nothing else
/// is needed to start it; everything else arrives over the protocol.
public enum CommandLineOptions: Equatable {
  /// Serve on stdin/stdout; `appose`: speak the Appose worker protocol instead of JSON-RPC.
  case run(threads: Int, appose: Bool)
  case print(String)
  case fail(String)

  public static let usage = """
    usage: unet-worker [--threads N] [--appose] [--help] [--version]

    The U-Net (Ronneberger, Fischer, Brox 2015) as a worker process. Speaks newline-delimited
    JSON-RPC 2.0 on stdin/stdout: send one request per line, read responses and progress
    notifications, one per line. Logs go to stderr. Protocol: Protocol/README.md.

      --threads N   compute threads for training and segmentation (default: all cores, \(availableCores))
      --appose      speak the Appose worker protocol instead (HELLO, then EXECUTE requests whose
                    script is a method name and whose inputs are its params; see Protocol/README.md,
                    "Appose mode"), so Appose clients such as DeepImageJ 3 drive the worker directly
      --version     print the version and exit
      --help        print this help and exit

    Example:
      echo '{"jsonrpc":"2.0","id":1,"method":"initialize"}' | unet-worker
    """

  /// The number of online processors, at least 1.
  public static var availableCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  public static func parse(_ arguments: [String]) -> CommandLineOptions {
    var threads = availableCores
    var appose = false
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      switch argument {
      case "--help", "-h":
        return .print(usage)
      case "--version":
        return .print("\(WorkerInfo.name) \(WorkerInfo.version) (protocol \(WorkerInfo.protocolVersion))")
      case "--appose":
        appose = true
      case "--threads":
        guard index + 1 < arguments.count, let n = Int(arguments[index + 1]), (1...1024).contains(n) else {
          return .fail("--threads needs a whole number from 1 to 1024")
        }
        threads = n
        index += 1
      default:
        if argument.hasPrefix("--threads="), let n = Int(argument.dropFirst("--threads=".count)),
          (1...1024).contains(n)
        {
          threads = n
        } else {
          return .fail("unknown or malformed argument '\(argument)'")
        }
      }
      index += 1
    }
    return .run(threads: threads, appose: appose)
  }
}
