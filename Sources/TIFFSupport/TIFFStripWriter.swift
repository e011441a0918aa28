/// Writes one single-channel image of a known size band by band, strip by strip through
/// libtiff, so that an output larger than memory never has to be held whole. The file has the
/// tags, strips and ImageJ description `TIFFWriter.write` gives for the same image; it is
/// BigTIFF when it could pass 4 GiB.
///
/// Like `TIFFStreamWriter`, it writes to a temporary file beside the destination: `complete()`
/// then `finish()` rename it into place once every row is appended; `discard()`, any failure,
/// or releasing an unfinished writer removes it. Not thread-safe.
public final class TIFFStripWriter {
  private enum State { case open, completed, finished, discarded }

  public let path: String
  public let width: Int
  public let height: Int
  public let sampleType: TIFFSampleType
  /// Rows appended so far.
  public private(set) var appendedRows = 0
  /// Whether the file is BigTIFF (chosen from the size at creation).
  public let isBigTIFF: Bool
  private let rowBytes: Int
  private let rowsPerStrip: Int
  private let temporary: TemporarySibling
  private let handle: LibTIFFHandle
  /// The rows of the strip being filled (libtiff may byte-swap the buffer it is handed).
  private let strip: UnsafeMutableRawPointer
  private var rowsInStrip = 0
  private var nextStrip: UInt32 = 0
  private var state = State.open

  /// Creates the temporary file and writes the page's tags.
  /// - Throws: `.invalidData` for an empty or oversized image or a bad calibration,
  ///   `.writeFailed` when the file cannot be created.
  public init(
    path: String, width: Int, height: Int, sampleType: TIFFSampleType, calibration: TIFFCalibration? = nil,
    compression: TIFFCompression = .deflate
  ) throws(TIFFError) {
    guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
      throw TIFFError(.invalidData, path: path, message: "\(width)×\(height) is not a size TIFF can store")
    }
    try TIFFWriter.validate(calibration, path: path)
    self.path = path
    self.width = width
    self.height = height
    self.sampleType = sampleType
    rowBytes = width * sampleType.byteCount
    // As `TIFFWriter.writePages`: about 256 KiB per strip.
    rowsPerStrip = max(1, min(height, (256 << 10) / rowBytes))
    let raw = Double(rowBytes) * Double(height)
    let expansion = compression == .lzw ? 1.5 : 1.01
    isBigTIFF = raw * expansion + Double(1 << 20) > Double(UInt32.max)
    temporary = try TemporarySibling(for: path)
    let opened: LibTIFFHandle
    do throws(TIFFError) {
      opened = try LibTIFFHandle.open(
        path: temporary.path, mode: isBigTIFF ? "w8" : "w", maxSingleAllocation: 0, classify: { .writeFailed })
    } catch {
      temporary.discard()
      throw error.attributed(to: path)
    }
    handle = opened
    strip = UnsafeMutableRawPointer.allocate(byteCount: rowsPerStrip * rowBytes, alignment: 16)
    let usesPredictor = compression == .lzw && !sampleType.isFloatingPoint && sampleType.byteCount <= 2
    do throws(TIFFError) {
      try TIFFWriter.setPageTags(
        opened, width: width, height: height, type: sampleType, compression: compression, predictor: usesPredictor,
        blocks: .strips(rowsPerStrip: rowsPerStrip), calibration: calibration,
        description: ImageJDescription.text(images: 1, channels: 1, calibration: calibration))
    } catch {
      discard()
      throw error.attributed(to: path)
    }
  }

  deinit {
    discard()
    strip.deallocate()
  }

  /// Appends the next rows: `samples` holds whole rows of `width` samples of `sampleType`.
  /// - Throws: `.invalidData` for the wrong type, partial rows or rows beyond `height`,
  ///   `.writeFailed` when a strip cannot be written; either way the writer is discarded.
  public func append(_ samples: TIFFSamples) throws(TIFFError) {
    guard state == .open else { throw notOpen() }
    do throws(TIFFError) {
      guard samples.sampleType == sampleType, samples.count % width == 0 else {
        throw TIFFError(.invalidData, path: path, message: "\(samples.count) \(samples.sampleType.rawValue) samples are not whole rows of \(width) \(sampleType.rawValue)")
      }
      let rows = samples.count / width
      guard appendedRows + rows <= height else {
        throw TIFFError(.invalidData, path: path, message: "rows \(appendedRows + rows) exceed the image's \(height)")
      }
      try samples.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws(TIFFError) in
        guard let base = bytes.baseAddress else { return }
        for row in 0..<rows {
          (strip + rowsInStrip * rowBytes).copyMemory(from: base + row * rowBytes, byteCount: rowBytes)
          rowsInStrip += 1
          appendedRows += 1
          if rowsInStrip == rowsPerStrip || appendedRows == height { try flushStrip() }
        }
      }
    } catch {
      discard()
      throw error.attributed(to: path)
    }
  }

  /// Writes the directory and closes the file under its temporary name (see `TIFFStreamWriter.complete`).
  /// - Throws: `.invalidData` when rows are missing, `.writeFailed` when libtiff fails.
  public func complete() throws(TIFFError) {
    guard state == .open else { throw notOpen() }
    do throws(TIFFError) {
      guard appendedRows == height else {
        throw TIFFError(.invalidData, path: path, message: "\(appendedRows) of \(height) rows were appended")
      }
      try handle.writeDirectory()
      try handle.flush()
      guard handle.errorCount == 0 else { throw handle.error(.writeFailed, "libtiff reported an error") }
      handle.close()
      state = .completed
    } catch {
      discard()
      throw error.attributed(to: path)
    }
  }

  /// Completes the file if needed and renames it onto `path`.
  public func finish() throws(TIFFError) {
    if state == .open { try complete() }
    guard state == .completed else { throw notOpen() }
    do throws(TIFFError) {
      try temporary.commit()
      state = .finished
    } catch {
      state = .discarded
      throw error.attributed(to: path)
    }
  }

  /// Abandons the file: removes the temporary file. Does nothing once finished.
  public func discard() {
    guard state == .open || state == .completed else { return }
    state = .discarded
    handle.close()
    temporary.discard()
  }

  private func flushStrip() throws(TIFFError) {
    try handle.writeStrip(nextStrip, from: strip, byteCount: rowsInStrip * rowBytes)
    nextStrip += 1
    rowsInStrip = 0
  }

  private func notOpen() -> TIFFError {
    TIFFError(.invalidData, path: path, message: "the writer was already \(state == .discarded ? "discarded" : "completed")")
  }
}
