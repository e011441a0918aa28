import CTIFF

/// One open libtiff handle and its own message buffer. This is the only type that calls libtiff;
/// everything above it sees Swift types and `TIFFError`.
///
/// Not thread-safe itself (libtiff handles are not), but handles are independent: two threads
/// may each use their own, since libtiff's messages go to the handle's buffer, not to globals.
final class LibTIFFHandle {
  let path: String
  private let tiff: OpaquePointer
  private let messages: UnsafeMutablePointer<UnetTIFFMessages>
  private var isOpen = true

  /// libtiff's process-wide handlers print to stderr; they are removed once, before any open.
  private static let globalHandlersSilenced: Bool = {
    unet_tiff_silence_global_handlers()
    return true
  }()

  private init(path: String, tiff: OpaquePointer, messages: UnsafeMutablePointer<UnetTIFFMessages>) {
    self.path = path
    self.tiff = tiff
    self.messages = messages
  }

  deinit {
    close()
    messages.deallocate()
  }

  /// Opens `path` with libtiff. `mode` is libtiff's: "rm" reads without memory-mapping (a file
  /// truncated by someone else while mapped would crash the process with SIGBUS), "w" writes
  /// classic TIFF, "w8" BigTIFF. On failure the error carries libtiff's message and the code
  /// `classify` picks.
  static func open(
    path: String, mode: String, maxSingleAllocation: Int,
    classify: () -> TIFFError.Code
  ) throws(TIFFError) -> LibTIFFHandle {
    _ = globalHandlersSilenced
    let messages = UnsafeMutablePointer<UnetTIFFMessages>.allocate(capacity: 1)
    messages.initialize(to: UnetTIFFMessages())
    guard let tiff = unet_tiff_open(path, mode, messages, Int64(maxSingleAllocation)) else {
      let text = String(cString: unet_tiff_errors(messages))
      messages.deallocate()
      throw TIFFError(classify(), path: path,
                      message: text.isEmpty ? "libtiff could not open the file" : "libtiff: \(text)")
    }
    return LibTIFFHandle(path: path, tiff: tiff, messages: messages)
  }

  /// Closes the handle. TIFFClose flushes pending writes but reports no failure: writers call
  /// `flush()` first.
  func close() {
    guard isOpen else { return }
    isOpen = false
    TIFFClose(tiff)
  }

  // MARK: Messages

  /// Number of errors libtiff reported on this handle so far.
  var errorCount: Int { Int(messages.pointee.errorCount) }

  /// Number of warnings about tag data libtiff could not read (and dropped).
  var readFailureWarningCount: Int { Int(messages.pointee.readFailureWarningCount) }

  /// libtiff's errors, or its warnings when there were no errors.
  var libtiffMessage: String {
    let errors = String(cString: unet_tiff_errors(messages))
    return errors.isEmpty ? String(cString: unet_tiff_warnings(messages)) : errors
  }

  /// An error for this file: `context` plus what libtiff said, if anything.
  func error(_ code: TIFFError.Code, _ context: String) -> TIFFError {
    let detail = libtiffMessage
    return TIFFError(code, path: path,
                     message: detail.isEmpty ? context : "\(context) (libtiff: \(detail))")
  }

  // MARK: Directories

  var isBigTIFF: Bool { TIFFIsBigTIFF(tiff) != 0 }
  var isTiled: Bool { TIFFIsTiled(tiff) != 0 }
  var currentDirectory: Int { Int(TIFFCurrentDirectory(tiff)) }

  /// Advances to the next directory; false at the end of the chain (or on an unreadable one,
  /// which libtiff reports as an error message).
  func readNextDirectory() -> Bool { TIFFReadDirectory(tiff) == 1 }

  /// Makes `index` the current directory, reading forward when it is the next one.
  func moveToDirectory(_ index: Int) throws(TIFFError) {
    if currentDirectory == index { return }
    if currentDirectory + 1 == index, readNextDirectory(), currentDirectory == index { return }
    guard let target = UInt32(exactly: index), TIFFSetDirectory(tiff, target) == 1 else {
      throw error(.corrupt, "cannot read page \(index + 1)")
    }
  }

  // MARK: Tags

  func uint16(_ tag: Int32, defaulted: Bool = false) -> UInt16? {
    var value: UInt16 = 0
    let ok = defaulted
      ? unet_tiff_get_uint16_defaulted(tiff, UInt32(tag), &value)
      : unet_tiff_get_uint16(tiff, UInt32(tag), &value)
    return ok == 1 ? value : nil
  }

  func uint32(_ tag: Int32, defaulted: Bool = false) -> UInt32? {
    var value: UInt32 = 0
    let ok = defaulted
      ? unet_tiff_get_uint32_defaulted(tiff, UInt32(tag), &value)
      : unet_tiff_get_uint32(tiff, UInt32(tag), &value)
    return ok == 1 ? value : nil
  }

  func float(_ tag: Int32) -> Float? {
    var value: Float = 0
    return unet_tiff_get_float(tiff, UInt32(tag), &value) == 1 ? value : nil
  }

  func string(_ tag: Int32) -> String? {
    var text: UnsafePointer<CChar>?
    guard unet_tiff_get_string(tiff, UInt32(tag), &text) == 1, let text else { return nil }
    return String(cString: text)
  }

  func setUInt16(_ tag: Int32, _ value: UInt16) -> Bool {
    unet_tiff_set_uint16(tiff, UInt32(tag), value) == 1
  }

  func setUInt32(_ tag: Int32, _ value: UInt32) -> Bool {
    unet_tiff_set_uint32(tiff, UInt32(tag), value) == 1
  }

  /// Pseudo-tags of codecs such as TIFFTAG_ZIPQUALITY take an int.
  func setInt(_ tag: Int32, _ value: Int32) -> Bool {
    unet_tiff_set_int(tiff, UInt32(tag), value) == 1
  }

  func setDouble(_ tag: Int32, _ value: Double) -> Bool {
    unet_tiff_set_double(tiff, UInt32(tag), value) == 1
  }

  func setString(_ tag: Int32, _ value: String) -> Bool {
    unet_tiff_set_string(tiff, UInt32(tag), value) == 1
  }

  /// Whether this libtiff build can decode/encode `compression`.
  static func isCodecConfigured(_ compression: UInt16) -> Bool {
    TIFFIsCODECConfigured(compression) != 0
  }

  // MARK: Strips and tiles

  /// Bytes of one decoded tile, 0 on overflow.
  var tileByteCount: Int { Int(clamping: TIFFTileSize64(tiff)) }

  func stripIndex(row: Int, plane: Int) -> UInt32 {
    TIFFComputeStrip(tiff, UInt32(truncatingIfNeeded: row), UInt16(truncatingIfNeeded: plane))
  }

  func tileIndex(x: Int, y: Int, plane: Int) -> UInt32 {
    TIFFComputeTile(tiff, UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y), 0,
                    UInt16(truncatingIfNeeded: plane))
  }

  /// Decodes strip `strip` into `buffer` (exactly `byteCount` bytes expected).
  func readStrip(_ strip: UInt32, into buffer: UnsafeMutableRawPointer, byteCount: Int) throws(TIFFError) {
    // libtiff can report a damaged strip as fully decoded while leaving some of its bytes
    // unwritten (found by fuzzing: a deflate strip with a predictor): zeroed first, whatever
    // it leaves is 0, the same for a whole page and for a band of rows read alone.
    buffer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    let read = TIFFReadEncodedStrip(tiff, strip, buffer, tmsize_t(byteCount))
    guard read == tmsize_t(byteCount) else {
      throw error(.corrupt, "cannot decode strip \(strip) (\(read) of \(byteCount) bytes)")
    }
  }

  /// Decodes tile `tile` into `buffer` (exactly `byteCount` bytes expected).
  func readTile(_ tile: UInt32, into buffer: UnsafeMutableRawPointer, byteCount: Int) throws(TIFFError) {
    buffer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)  // as in `readStrip`
    let read = TIFFReadEncodedTile(tiff, tile, buffer, tmsize_t(byteCount))
    guard read == tmsize_t(byteCount) else {
      throw error(.corrupt, "cannot decode tile \(tile) (\(read) of \(byteCount) bytes)")
    }
  }

  /// Encodes `byteCount` bytes as strip `strip`. libtiff may modify the buffer (byte swapping).
  func writeStrip(_ strip: UInt32, from buffer: UnsafeMutableRawPointer, byteCount: Int) throws(TIFFError) {
    guard TIFFWriteEncodedStrip(tiff, strip, buffer, tmsize_t(byteCount)) == tmsize_t(byteCount) else {
      throw error(.writeFailed, "cannot write strip \(strip)")
    }
  }

  /// Encodes `byteCount` bytes as tile `tile`. libtiff may modify the buffer (byte swapping).
  func writeTile(_ tile: UInt32, from buffer: UnsafeMutableRawPointer, byteCount: Int) throws(TIFFError) {
    guard TIFFWriteEncodedTile(tiff, tile, buffer, tmsize_t(byteCount)) == tmsize_t(byteCount) else {
      throw error(.writeFailed, "cannot write tile \(tile)")
    }
  }

  /// Writes the current directory and starts the next page.
  func writeDirectory() throws(TIFFError) {
    guard TIFFWriteDirectory(tiff) == 1 else { throw error(.writeFailed, "cannot write a page directory") }
  }

  func flush() throws(TIFFError) {
    guard TIFFFlush(tiff) == 1 else { throw error(.writeFailed, "cannot flush the file") }
  }
}
