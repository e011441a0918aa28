import CTIFF

/// How one TIFF page (directory) stores its samples, read from its tags and checked: everything
/// the decoder needs, and the sizes the reader checks against its limits before allocating.
struct TIFFPageLayout: Equatable {
  /// The stored form of one sample.
  enum StoredSample: Equatable {
    /// 1 bit per pixel, rows padded to whole bytes; decoded to `uint8` 0/1.
    case bit
    /// Whole-byte integers, kept as they are.
    case integer(bytes: Int, signed: Bool)
    /// IEEE floats of 2, 4 or 8 bytes; decoded to `float32`.
    case float(bytes: Int)

    /// Bytes one sample occupies after decoding, before conversion (1 for unpacked bits).
    var byteCount: Int {
      switch self {
      case .bit: 1
      case .integer(let bytes, _), .float(let bytes): bytes
      }
    }
  }

  enum Blocks: Equatable {
    case strips(rowsPerStrip: Int)
    case tiles(width: Int, height: Int)
  }

  /// Directory index in the file (0-based).
  var directory: Int
  var width: Int
  var height: Int
  var samplesPerPixel: Int
  var stored: StoredSample
  /// Samples stored plane by plane (PlanarConfiguration 2) rather than interleaved per pixel.
  var isPlanarSeparate: Bool
  var blocks: Blocks
  var compression: UInt16
  /// A thumbnail or pyramid level (NewSubfileType bit 0) or a transparency mask (bit 2).
  var isAuxiliary: Bool

  var outputType: TIFFSampleType {
    switch stored {
    case .bit: .uint8
    case .float: .float32
    case .integer(1, false): .uint8
    case .integer(1, true): .int8
    case .integer(2, false): .uint16
    case .integer(2, true): .int16
    case .integer(_, false): .uint32
    case .integer(_, true): .int32
    }
  }

  /// Samples in the page (all channels).
  var sampleCount: Int { width * height * samplesPerPixel }

  /// Bytes of decoded samples the reader allocates for this page.
  var decodedByteCount: Int { sampleCount * outputType.byteCount }

  /// Bytes the page's pixels take uncompressed in the file (packed for 1-bit).
  var storedByteCount: Int {
    stored == .bit ? height * ((width + 7) / 8) : sampleCount * stored.byteCount
  }

  /// The most a file of this compression can expand on decoding, used to reject headers that
  /// claim more pixels than the file can hold. None stores 1:1, PackBits at most 128 bytes per 2;
  /// LZW and Deflate stay below about 1400:1; unknown codecs (zstd, CCITT on blank pages) get a
  /// loose bound and rely on the hard cap.
  var maximumCompressionRatio: Double {
    switch Int32(compression) {
    case COMPRESSION_NONE: 1
    case COMPRESSION_PACKBITS: 64
    case COMPRESSION_LZW, COMPRESSION_ADOBE_DEFLATE, COMPRESSION_DEFLATE: 2_000
    default: 100_000
    }
  }

  /// Reads and checks the current directory's layout.
  /// - Throws: `.corrupt` for missing or impossible tags, `.unsupported` for layouts this
  ///   reader does not decode, `.tooLarge` when sizes overflow.
  static func current(in handle: LibTIFFHandle) throws(TIFFError) -> TIFFPageLayout {
    let directory = handle.currentDirectory
    let page = "page \(directory + 1)"
    func corrupt(_ text: String) -> TIFFError { handle.error(.corrupt, "\(page): \(text)") }
    func unsupported(_ text: String) -> TIFFError { handle.error(.unsupported, "\(page): \(text)") }

    guard let width = handle.uint32(TIFFTAG_IMAGEWIDTH), let height = handle.uint32(TIFFTAG_IMAGELENGTH),
          width > 0, height > 0
    else { throw corrupt("missing or zero image width or height") }
    let samplesPerPixel = Int(handle.uint16(TIFFTAG_SAMPLESPERPIXEL, defaulted: true) ?? 1)
    let bits = Int(handle.uint16(TIFFTAG_BITSPERSAMPLE, defaulted: true) ?? 1)
    let format = Int32(handle.uint16(TIFFTAG_SAMPLEFORMAT, defaulted: true) ?? UInt16(SAMPLEFORMAT_UINT))
    let photometric = handle.uint16(TIFFTAG_PHOTOMETRIC).map(Int32.init) ?? PHOTOMETRIC_MINISBLACK
    let planar = Int32(handle.uint16(TIFFTAG_PLANARCONFIG, defaulted: true) ?? UInt16(PLANARCONFIG_CONTIG))
    let compression = handle.uint16(TIFFTAG_COMPRESSION, defaulted: true) ?? UInt16(COMPRESSION_NONE)
    let subfileType = handle.uint32(TIFFTAG_SUBFILETYPE, defaulted: true) ?? 0

    guard samplesPerPixel > 0 else { throw corrupt("zero samples per pixel") }
    guard samplesPerPixel <= 1024 else { throw unsupported("\(samplesPerPixel) samples per pixel") }
    let stored = try storedSample(bits: bits, format: format, samplesPerPixel: samplesPerPixel,
                                  unsupported: unsupported)
    let supportedPhotometric = [PHOTOMETRIC_MINISWHITE, PHOTOMETRIC_MINISBLACK, PHOTOMETRIC_RGB,
                                PHOTOMETRIC_PALETTE, PHOTOMETRIC_SEPARATED]
    guard supportedPhotometric.contains(photometric) else {
      throw unsupported("photometric interpretation \(photometric) (YCbCr, CIE Lab, ...) is not read; convert to RGB or grayscale")
    }
    guard planar == PLANARCONFIG_CONTIG || planar == PLANARCONFIG_SEPARATE else {
      throw corrupt("planar configuration \(planar)")
    }
    guard LibTIFFHandle.isCodecConfigured(compression) else {
      throw unsupported("compression \(compression) is not available in this libtiff")
    }

    let blocks: Blocks
    if handle.isTiled {
      guard let tileWidth = handle.uint32(TIFFTAG_TILEWIDTH), let tileHeight = handle.uint32(TIFFTAG_TILELENGTH),
            tileWidth > 0, tileHeight > 0
      else { throw corrupt("missing or zero tile size") }
      blocks = .tiles(width: Int(tileWidth), height: Int(tileHeight))
    } else {
      let rows = handle.uint32(TIFFTAG_ROWSPERSTRIP, defaulted: true) ?? height
      blocks = .strips(rowsPerStrip: Int(max(1, min(rows, height))))
    }

    // Width and height are below 2^32 each: check the products before anything uses them.
    let pixels = Int(width).multipliedReportingOverflow(by: Int(height))
    let samples = pixels.partialValue.multipliedReportingOverflow(by: samplesPerPixel)
    let bytes = samples.partialValue.multipliedReportingOverflow(by: 8)
    guard !pixels.overflow, !samples.overflow, !bytes.overflow else {
      throw handle.error(.tooLarge, "\(page): \(width)×\(height)×\(samplesPerPixel) samples overflow")
    }
    return TIFFPageLayout(
      directory: directory, width: Int(width), height: Int(height),
      samplesPerPixel: samplesPerPixel, stored: stored,
      isPlanarSeparate: planar == PLANARCONFIG_SEPARATE && samplesPerPixel > 1,
      blocks: blocks, compression: compression,
      isAuxiliary: subfileType & UInt32(FILETYPE_REDUCEDIMAGE | FILETYPE_MASK) != 0)
  }

  private static func storedSample(
    bits: Int, format: Int32, samplesPerPixel: Int, unsupported: (String) -> TIFFError
  ) throws(TIFFError) -> StoredSample {
    let isInteger = format == SAMPLEFORMAT_UINT || format == SAMPLEFORMAT_INT || format == SAMPLEFORMAT_VOID
    switch (bits, isInteger, format) {
    case (1, true, _):
      guard samplesPerPixel == 1, format != SAMPLEFORMAT_INT else {
        throw unsupported("1-bit samples with \(samplesPerPixel) samples per pixel")
      }
      return .bit
    case (8, true, _), (16, true, _), (32, true, _):
      return .integer(bytes: bits / 8, signed: format == SAMPLEFORMAT_INT)
    case (16, false, SAMPLEFORMAT_IEEEFP), (32, false, SAMPLEFORMAT_IEEEFP), (64, false, SAMPLEFORMAT_IEEEFP):
      return .float(bytes: bits / 8)
    case (_, true, _):
      throw unsupported("\(bits)-bit integer samples (1, 8, 16 and 32 bits are read)")
    case (_, false, SAMPLEFORMAT_IEEEFP):
      throw unsupported("\(bits)-bit float samples (16, 32 and 64 bits are read)")
    default:
      throw unsupported("sample format \(format) (complex or unknown)")
    }
  }
}
