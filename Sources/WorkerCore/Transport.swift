#if canImport(Glibc)
  import Glibc
#endif
import Dispatch

/// Where protocol bytes come from and where protocol lines go.
///
/// The worker reads raw chunks (framing is `LineFramer`'s job) and writes whole lines; one
/// transport per worker. `StdioTransport` is the real one; tests use `InMemoryTransport`.
public protocol Transport: Sendable {
  /// The next chunk of input bytes, or nil at end of input. Blocks until data arrive.
  func readChunk() -> [UInt8]?
  /// Writes one line (the transport appends `\n`) and flushes it.
  func write(line: String)
}

/// stdin/stdout as the protocol's pipe. Reads with `read(2)` in 64 KiB chunks, writes each
/// line with `write(2)` until every byte is out (no stdio buffering, so a line is flushed
/// when `write(line:)` returns).
public struct StdioTransport: Transport {
  public init() {}

  public func readChunk() -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
      if n > 0 { return Array(buffer[0..<n]) }
      if n == 0 { return nil }
      if errno == EINTR { continue }
      return nil
    }
  }

  public func write(line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return Glibc.write(1, base + offset, raw.count - offset)
      }
      if n > 0 {
        offset += n
      } else if n < 0 && errno == EINTR {
        continue
      } else {
        return  // the client closed its end: nothing more can be delivered
      }
    }
  }
}

/// An in-process transport for tests: input is a list of chunks given up front (or fed
/// later), output lines are collected.
public final class InMemoryTransport: Transport {
  private struct State {
    var input: [[UInt8]] = []
    var closed = false
    var output: [String] = []
  }
  private let state = Locked(State())
  private let inputAvailable = DispatchSemaphore(value: 0)

  public init() {}

  /// Queues the UTF-8 of `text` for the worker to read.
  public func feed(_ text: String) {
    feed(bytes: Array(text.utf8))
  }

  /// Queues raw bytes for the worker to read (also bytes that are not UTF-8).
  public func feed(bytes: [UInt8]) {
    state.withLock { $0.input.append(bytes) }
    inputAvailable.signal()
  }

  /// Ends the input: the worker sees end of input after the queued chunks.
  public func closeInput() {
    state.withLock { $0.closed = true }
    inputAvailable.signal()
  }

  /// The lines written so far, copied inside the lock (see `RequestTable.statusJSON`).
  public var lines: [String] { state.withLock { $0.output.map { $0 } } }

  public func readChunk() -> [UInt8]? {
    while true {
      let next: [UInt8]?? = state.withLock { s in
        if !s.input.isEmpty { return .some(s.input.removeFirst()) }
        if s.closed { return .some(nil) }
        return .none
      }
      if let chunk = next { return chunk }
      inputAvailable.wait()
    }
  }

  public func write(line: String) {
    state.withLock { $0.output.append(line) }
  }
}
