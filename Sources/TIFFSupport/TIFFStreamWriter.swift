/// Size, channel count and sample type of an image: what all images of one written stack share.
struct TIFFImageShape: Equatable {
  var width: Int
  var height: Int
  var channels: Int
  var sampleType: TIFFSampleType

  init(_ image: TIFFImage) {
    width = image.width
    height = image.height
    channels = image.channels
    sampleType = image.sampleType
  }

  var byteCount: Int { width * height * channels * sampleType.byteCount }
}

/// Writes a stack one image at a time, so that only the image being written is in memory. The
/// file is the one `TIFFWriter.write` would write for the same images (the same pages, tags and
/// ImageJ description, which needs the image count up front).
///
/// Pages go to a temporary file beside the destination; `finish()` renames it into place once
/// all `imageCount` images are appended. `discard()`, any failure, or releasing an unfinished
/// writer removes the temporary file and leaves the destination untouched. Not thread-safe.
public final class TIFFStreamWriter {
  private enum State { case open, completed, finished, discarded }

  public let path: String
  public let imageCount: Int
  public let channels: Int
  public let calibration: TIFFCalibration?
  public let compression: TIFFCompression
  /// Images appended so far.
  public private(set) var appendedCount = 0
  private let bigTIFF: Bool?
  private let description: String
  private var temporary: TemporarySibling
  /// Opened at the first append, when the images' size (and so the need for BigTIFF) is known.
  private var handle: LibTIFFHandle?
  private var first: TIFFImageShape?
  private var state = State.open

  /// Prepares to write `imageCount` images of `channels` channels to `path`; nothing is created
  /// before the first `append`.
  /// - Parameters:
  ///   - bigTIFF: force (true) or forbid (false) BigTIFF; nil chooses BigTIFF only when the
  ///     file could exceed 4 GiB, judged from the first image.
  /// - Throws: `.invalidData` for no images or an invalid calibration, `.writeFailed` when
  ///   `path` names a folder.
  public init(
    path: String, imageCount: Int, channels: Int, calibration: TIFFCalibration? = nil,
    compression: TIFFCompression = .deflate, bigTIFF: Bool? = nil
  ) throws(TIFFError) {
    guard imageCount > 0, channels > 0 else {
      throw TIFFError(.invalidData, path: path, message: imageCount > 0 ? "images need at least one channel" : "no images to write")
    }
    try TIFFWriter.validate(calibration, path: path)
    self.path = path
    self.imageCount = imageCount
    self.channels = channels
    self.calibration = calibration
    self.compression = compression
    self.bigTIFF = bigTIFF
    self.description = ImageJDescription.text(images: imageCount, channels: channels, calibration: calibration)
    self.temporary = try TemporarySibling(for: path)
  }

  deinit {
    discard()
  }

  /// Writes the next image; all must share the first one's size and sample type.
  /// - Throws: `.invalidData` for a mismatched or surplus image, `.writeFailed` when the file
  ///   cannot be written; either way the writer is discarded.
  public func append(_ image: TIFFImage) throws(TIFFError) {
    try ensureOpen()
    do throws(TIFFError) {
      guard appendedCount < imageCount else {
        throw TIFFError(.invalidData, path: path, message: "image \(appendedCount) exceeds the \(imageCount) announced")
      }
      guard image.channels == channels else {
        throw TIFFError(.invalidData, path: path, message: "image \(appendedCount) has \(image.channels) channel(s), the stack \(channels)")
      }
      let handle = try openedHandle(for: image)
      if let first, let mismatch = TIFFWriter.mismatch(image, index: appendedCount, first: first, path: path) {
        throw mismatch
      }
      try TIFFWriter.writePages(of: image, handle: handle, compression: compression, calibration: calibration,
                                description: appendedCount == 0 ? description : nil)
      appendedCount += 1
    } catch {
      discard()
      throw error.attributed(to: path)
    }
  }

  /// Completes the file and renames it onto `path` (`complete()` then the rename).
  /// - Throws: what `complete()` throws, or `.writeFailed` when the rename fails; either way
  ///   the writer is discarded.
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

  /// Writes out everything but leaves the file under its temporary name, so that several
  /// outputs can all be completed before any of them replaces its destination; then `finish()`
  /// only renames, and `discard()` still removes the file.
  /// - Throws: `.invalidData` when fewer than `imageCount` images were appended, `.writeFailed`
  ///   when the file cannot be completed; either way the writer is discarded.
  public func complete() throws(TIFFError) {
    try ensureOpen()
    do throws(TIFFError) {
      guard appendedCount == imageCount, let handle else {
        throw TIFFError(.invalidData, path: path, message: "\(appendedCount) of \(imageCount) images were appended")
      }
      try handle.flush()
      guard handle.errorCount == 0 else { throw handle.error(.writeFailed, "libtiff reported an error") }
      handle.close()
      state = .completed
    } catch {
      discard()
      throw error.attributed(to: path)
    }
  }

  /// Abandons the file: removes the temporary file. Does nothing once finished.
  public func discard() {
    guard state == .open || state == .completed else { return }
    state = .discarded
    handle?.close()
    temporary.discard()
  }

  /// Rewrites the images appended so far through `transform`, one at a time, into a fresh
  /// temporary file; later images must match the transformed ones. For a stack whose sample
  /// type is known only late: uint16 labels widened to uint32 when a later page needs it.
  /// - Throws: what `append` throws; the writer is then discarded.
  public func rewriteAppended(_ transform: (TIFFImage) throws(TIFFError) -> TIFFImage) throws(TIFFError) {
    try ensureOpen()
    let written = appendedCount
    let previous = temporary
    let pageBytes = first.map { $0.byteCount / $0.channels } ?? 0
    do throws(TIFFError) {
      if let handle {
        try handle.flush()
        handle.close()
      }
      temporary = try TemporarySibling(for: path)
      handle = nil
      first = nil
      appendedCount = 0
      if written > 0 {
        let reader = try LibTIFFHandle.open(
          path: previous.path, mode: "rm", maxSingleAllocation: max(pageBytes, 1 << 20), classify: { .writeFailed })
        var pages: [TIFFPageLayout] = []
        repeat { pages.append(try TIFFPageLayout.current(in: reader)) } while reader.readNextDirectory()
        guard pages.count == written * channels else {
          throw reader.error(.writeFailed, "\(pages.count) pages read back, \(written * channels) written")
        }
        for start in stride(from: 0, to: pages.count, by: channels) {
          try append(try transform(try TIFFPageReader.decodeImage(Array(pages[start..<start + channels]), handle: reader)))
        }
      }
      previous.discard()
    } catch {
      previous.discard()
      discard()
      throw error.attributed(to: path)
    }
  }

  private func ensureOpen() throws(TIFFError) {
    guard state == .open else { throw notOpen() }
  }

  private func notOpen() -> TIFFError {
    TIFFError(.invalidData, path: path, message: "the writer was already \(state == .discarded ? "discarded" : "completed")")
  }

  /// The open file, created for `image` when it is the first.
  private func openedHandle(for image: TIFFImage) throws(TIFFError) -> LibTIFFHandle {
    if let handle { return handle }
    try TIFFWriter.validateSize(image, path: path)
    let wide = bigTIFF ?? TIFFWriter.mayExceedClassicTIFF(image, imageCount: imageCount, compression: compression)
    let opened = try LibTIFFHandle.open(path: temporary.path, mode: wide ? "w8" : "w", maxSingleAllocation: 0,
                                        classify: { .writeFailed })
    handle = opened
    first = TIFFImageShape(image)
    return opened
  }
}
