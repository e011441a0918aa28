#if canImport(Glibc)
  import Glibc
#endif
import JSONRPC

/// A `Transport` that lets the unchanged `Worker` speak the Appose worker protocol
/// (`unet-worker --appose`): it reads Appose requests from the underlying transport and hands
/// the worker the equivalent JSON-RPC lines, and it turns every line the worker writes into the
/// Appose response it stands for (see `ApposeTranslator`; Protocol/README.md, "Appose mode").
///
/// The HELLO line is written when the transport is made, before the worker reads anything, as
/// Appose wants it first. What Appose cannot carry (a line without a task id, a log with no
/// task) goes to `log` (stderr by default). End of input is passed on, so the worker finishes
/// the tasks it has and returns.
public final class ApposeTransport: Transport {
  private let underlying: any Transport
  private let translator: ApposeTranslator
  private let log: @Sendable (String) -> Void
  private let framer = Locked(LineFramer())
  /// Serialises writes from the reading thread (LAUNCH) and the worker's threads.
  private let writing = Locked(())

  /// - Parameters:
  ///   - underlying: where Appose lines come from and go to (stdio in the real worker).
  ///   - log: receives one line per event that has no place in the Appose protocol.
  public init(underlying: any Transport, log: @escaping @Sendable (String) -> Void = ApposeTransport.logToStderr) {
    self.underlying = underlying
    self.translator = ApposeTranslator(methods: MethodRegistry.all.map(\.name))
    self.log = log
    underlying.write(line: ApposeResponse.hello(methods: translator.methods))
  }

  /// The next JSON-RPC request lines for the worker, `\n`-terminated, or nil at end of input.
  /// Appose lines that translate to nothing for the worker (a bad script, an unknown task's
  /// CANCEL) are answered or logged here and do not end the read.
  public func readChunk() -> [UInt8]? {
    while true {
      guard let chunk = underlying.readChunk() else {
        let last = framer.withLock { $0.finish() }
        let forwarded = last.map(handle) ?? []
        return forwarded.isEmpty ? nil : Self.bytes(forwarded)
      }
      let lines = framer.withLock { $0.append(chunk) }
      let forwarded = lines.flatMap(handle)
      if !forwarded.isEmpty { return Self.bytes(forwarded) }
    }
  }

  /// Translates one line the worker wrote and writes what it stands for.
  public func write(line: String) {
    apply(translator.translate(workerLine: line))
  }

  /// Translates an Appose request line; writes its immediate answers (LAUNCH, FAILURE) before
  /// the worker can see the request, and returns the lines for the worker.
  private func handle(_ framed: FramedLine) -> [String] {
    switch framed {
    case .tooLong(let byteCount):
      let limit = framer.withLock { $0.maxLineLength }
      log("ignored a request line of \(byteCount) bytes: longer than the \(limit)-byte limit")
      return []
    case .line(let bytes):
      let translation = translator.translate(requestLine: bytes)
      apply(translation)
      return translation.toWorker
    }
  }

  private func apply(_ translation: ApposeTranslation) {
    if !translation.toClient.isEmpty {
      writing.withLock { _ in
        for line in translation.toClient { underlying.write(line: line) }
      }
    }
    for line in translation.log { log(line) }
  }

  private static func bytes(_ lines: [String]) -> [UInt8] {
    Array(lines.map { $0 + "\n" }.joined().utf8)
  }

  /// Writes `unet-worker (appose): <message>` to stderr.
  public static let logToStderr: @Sendable (String) -> Void = { message in
    let text = Array("unet-worker (appose): \(message)\n".utf8)
    _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}
