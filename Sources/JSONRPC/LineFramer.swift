/// What ``LineFramer`` cuts out of a byte stream.
public enum FramedLine: Sendable, Equatable {
  /// One complete line without its `\n` (and without a `\r` right before it).
  case line([UInt8])
  /// A line longer than the limit, discarded while it streamed in; `byteCount` is its full length
  /// without the line break.
  case tooLong(byteCount: Int)
}

/// Splits a byte stream into `\n`-terminated lines with a length cap enforced while reading.
///
/// Pure (no I/O): the transport feeds whatever chunks it reads and gets the complete lines back.
/// - A line longer than `maxLineLength` bytes is not buffered: its bytes are dropped as they
///   arrive, and it is reported once, as ``FramedLine/tooLong(byteCount:)``, when its `\n` arrives
///   (or at ``finish()``). Memory stays below about `maxLineLength` plus one chunk.
/// - `\r\n` is accepted as a line break (the `\r` is not part of the line and does not count
///   against the limit); a `\r` elsewhere is left to the JSON parser.
/// - Lines that are empty or hold only spaces, tabs and `\r` are skipped, so blank lines from
///   shells and editors are harmless.
public struct LineFramer: Sendable {
  /// The longest line accepted, in bytes, excluding the line break.
  public let maxLineLength: Int
  /// The line received so far (empty while discarding).
  private var pending: [UInt8] = []
  /// Bytes of the current line dropped so far; nonzero only while an overlong line streams in.
  private var discarded = 0
  /// Whether the last dropped byte was a `\r` (not counted if a `\n` follows).
  private var discardedEndsInCarriageReturn = false

  /// - Parameter maxLineLength: the longest line accepted, in bytes (default 16 MiB).
  public init(maxLineLength: Int = 16 << 20) {
    precondition(maxLineLength > 0, "LineFramer: maxLineLength must be positive, got \(maxLineLength)")
    self.maxLineLength = maxLineLength
  }

  /// Consumes a chunk of input and returns the lines it completes, in order.
  public mutating func append(_ bytes: some Collection<UInt8>) -> [FramedLine] {
    let lines = bytes.withContiguousStorageIfAvailable { appendContiguous($0) }
    if let lines { return lines }
    return Array(bytes).withUnsafeBufferPointer { appendContiguous($0) }
  }

  /// Ends the input: returns the last line when it had no `\n`, and resets the framer.
  public mutating func finish() -> FramedLine? {
    defer {
      pending = []
      discarded = 0
    }
    if discarded > 0 { return .tooLong(byteCount: discardedLength(followedBy: EmptyCollection<UInt8>())) }
    return complete(pending[...])
  }

  private mutating func appendContiguous(_ chunk: UnsafeBufferPointer<UInt8>) -> [FramedLine] {
    var lines: [FramedLine] = []
    var segmentStart = 0
    while segmentStart < chunk.count {
      guard let newline = chunk[segmentStart...].firstIndex(of: UInt8(ascii: "\n")) else {
        accumulate(chunk[segmentStart...])
        break
      }
      let segment = chunk[segmentStart..<newline]
      segmentStart = newline + 1
      if discarded > 0 {
        lines.append(.tooLong(byteCount: discardedLength(followedBy: segment)))
        discarded = 0
      } else if pending.isEmpty {
        if let line = complete(segment) { lines.append(line) }
      } else {
        let endsInCarriageReturn = (segment.last ?? pending.last) == UInt8(ascii: "\r")
        let length = pending.count + segment.count - (endsInCarriageReturn ? 1 : 0)
        if length > maxLineLength {
          lines.append(.tooLong(byteCount: length))
        } else {
          pending.append(contentsOf: segment)
          if let line = complete(pending[...]) { lines.append(line) }
        }
        pending.removeAll(keepingCapacity: pending.capacity <= 64 << 10)
      }
    }
    return lines
  }

  /// Adds bytes of a line whose end has not arrived, switching to discarding past the limit.
  /// One byte beyond the limit is kept while it is a `\r` that may belong to a `\r\n`.
  private mutating func accumulate(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
    let last = bytes.last ?? pending.last
    if discarded > 0 {
      discarded += bytes.count
      if !bytes.isEmpty { discardedEndsInCarriageReturn = last == UInt8(ascii: "\r") }
      return
    }
    let total = pending.count + bytes.count
    if total <= maxLineLength || (total == maxLineLength + 1 && last == UInt8(ascii: "\r")) {
      pending.append(contentsOf: bytes)
    } else {
      discarded = total
      discardedEndsInCarriageReturn = last == UInt8(ascii: "\r")
      pending = []
    }
  }

  /// Full length of a discarded line whose remaining bytes before the line break are `tail`.
  private func discardedLength(followedBy tail: some BidirectionalCollection<UInt8>) -> Int {
    if tail.isEmpty { return discarded - (discardedEndsInCarriageReturn ? 1 : 0) }
    return discarded + Self.contentLength(tail)
  }

  /// The line for `content` (bytes before a line break): skipped when blank, tooLong past the limit.
  private func complete(_ content: some BidirectionalCollection<UInt8>) -> FramedLine? {
    let length = Self.contentLength(content)
    if length > maxLineLength { return .tooLong(byteCount: length) }
    let line = content.prefix(length)
    let isBlank = line.allSatisfy {
      $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r")
    }
    return isBlank ? nil : .line(Array(line))
  }

  /// Length without one trailing `\r` (the first half of a `\r\n`).
  private static func contentLength(_ content: some BidirectionalCollection<UInt8>) -> Int {
    content.last == UInt8(ascii: "\r") ? content.count - 1 : content.count
  }
}
