// unet-worker: the U-Net as a child process speaking newline-delimited JSON-RPC 2.0 on
// stdin/stdout, or with --appose the Appose worker protocol (Protocol/README.md). All
// behaviour lives in WorkerCore.
#if canImport(Glibc)
  import Glibc
#endif
import WorkerCore

// A client that closes its end of the pipe must not kill the worker mid-write.
signal(SIGPIPE, SIG_IGN)

switch CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .run(let threads, let appose):
  let transport: any Transport = appose ? ApposeTransport(underlying: StdioTransport()) : StdioTransport()
  Worker(transport: transport, threads: threads).run()
  exit(0)
case .print(let text):
  print(text)
  exit(0)
case .fail(let message):
  let text = Array("unet-worker: \(message)\nTry 'unet-worker --help'.\n".utf8)
  _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  exit(2)
}
