/// Decodes one page's strips or tiles through libtiff into planar samples: plane by plane,
/// row-major, whatever the file's arrangement (interleaved or separate planes, strips or tiles,
/// 1-bit packed rows), converting 16- and 64-bit floats to `float32`.
///
/// `rows` limits decoding to a band of rows (the strips or tiles that cover it), for reading a
/// page larger than memory band by band; the destination then holds only those rows.
struct TIFFPageDecoder {
  let layout: TIFFPageLayout
  let handle: LibTIFFHandle
  /// The rows to decode; the whole page unless given.
  let rows: Range<Int>

  init(layout: TIFFPageLayout, handle: LibTIFFHandle, rows: Range<Int>? = nil) {
    self.layout = layout
    self.handle = handle
    self.rows = rows ?? 0..<layout.height
    precondition(self.rows.lowerBound >= 0 && self.rows.upperBound <= layout.height, "TIFFPageDecoder: rows outside the page")
  }

  /// Whether only part of the page is decoded.
  private var isBand: Bool { rows != 0..<layout.height }

  /// Samples decoded into the destination (all planes of `rows`).
  private var bandSampleCount: Int { layout.width * rows.count * layout.samplesPerPixel }

  /// Bytes the destination must hold: `bandSampleCount` samples of `layout.outputType`.
  var decodedByteCount: Int { bandSampleCount * layout.outputType.byteCount }

  /// Largest scratch buffer for one strip or tile beyond the page's own size: tiles may be
  /// larger than a small image, but not arbitrarily (a header can claim any tile size).
  private static let scratchAllowance = 64 << 20

  /// Largest scratch buffer for one strip or tile at all: a page may claim up to
  /// `TIFFReadLimits.streamed` when read in bands, but one strip or tile is decoded whole, so
  /// it is held to what a whole page may take (a single-strip page of a huge compressed image is
  /// refused here instead of allocating its size).
  private static let scratchLimit = TIFFReadLimits.standard.maxDecodedBytes

  /// Refuses a scratch buffer of `bytes` for one strip or tile that is implausible for the
  /// page (`.corrupt`) or beyond `scratchLimit` (`.tooLarge`).
  private func checkScratch(_ bytes: Int, overflow: Bool, what: String) throws(TIFFError) {
    guard !overflow, bytes <= layout.storedByteCount + Self.scratchAllowance else {
      throw handle.error(.corrupt, "page \(layout.directory + 1): \(what) implausibly large")
    }
    guard bytes <= Self.scratchLimit else {
      throw handle.error(
        .tooLarge, "page \(layout.directory + 1): \(what) \(bytes) bytes when decoded, more than the limit of \(Self.scratchLimit) bytes for one strip or tile")
    }
  }

  /// Decodes the handle's current directory, which must be `layout`'s, into `destination`:
  /// `layout.samplesPerPixel` planes of `width` × `rows.count` samples of `layout.outputType`.
  func decode(into destination: UnsafeMutableRawBufferPointer) throws(TIFFError) {
    precondition(destination.count >= decodedByteCount, "TIFFPageDecoder: destination too small")
    guard let base = destination.baseAddress else { return }
    let errorsBefore = handle.errorCount
    switch layout.stored {
    case .float(2), .float(8):
      let stored = UnsafeMutableRawPointer.allocate(
        byteCount: bandSampleCount * layout.stored.byteCount, alignment: 16)
      defer { stored.deallocate() }
      try decodeStored(into: stored)
      Self.convertToFloat32(stored, storedBytes: layout.stored.byteCount, count: bandSampleCount,
                            into: base)
    default:
      try decodeStored(into: base)
    }
    // libtiff reports some decoding damage as an error yet returns the bytes.
    guard handle.errorCount == errorsBefore else { throw handle.error(.corrupt, "page \(layout.directory + 1) is damaged") }
  }

  /// Decodes into planar samples of the stored width (1 byte per unpacked bit).
  private func decodeStored(into destination: UnsafeMutableRawPointer) throws(TIFFError) {
    switch layout.blocks {
    case .strips(let rowsPerStrip): try decodeStrips(rowsPerStrip: rowsPerStrip, into: destination)
    case .tiles(let width, let height): try decodeTiles(tileWidth: width, tileHeight: height, into: destination)
    }
  }

  /// Samples in one stored row of a block `width` pixels wide, and that row's bytes.
  private func storedRow(width: Int) -> (samples: Int, bytes: Int) {
    let samples = layout.isPlanarSeparate ? width : width * layout.samplesPerPixel
    let bytes = layout.stored == .bit ? (samples + 7) / 8 : samples * layout.stored.byteCount
    return (samples, bytes)
  }

  private var planeCount: Int { layout.isPlanarSeparate ? layout.samplesPerPixel : 1 }

  private func decodeStrips(rowsPerStrip: Int, into destination: UnsafeMutableRawPointer) throws(TIFFError) {
    let rowBytes = storedRow(width: layout.width).bytes
    // Rows of one plane lie in the destination as the strip holds them: decode in place.
    // A band's first and last strips hold rows outside it: those go through the scratch buffer.
    let inPlace = layout.stored != .bit && (layout.isPlanarSeparate || layout.samplesPerPixel == 1) && !isBand
    let (scratchBytes, overflow) = rowBytes.multipliedReportingOverflow(by: rowsPerStrip)
    if !inPlace {
      try checkScratch(scratchBytes, overflow: overflow, what: "strips of \(rowsPerStrip) rows are")
    }
    let scratch = inPlace ? nil : UnsafeMutableRawPointer.allocate(byteCount: scratchBytes, alignment: 16)
    defer { scratch?.deallocate() }
    let firstStripRow = rows.lowerBound - rows.lowerBound % rowsPerStrip
    for plane in 0..<planeCount {
      for firstRow in stride(from: firstStripRow, to: rows.upperBound, by: rowsPerStrip) {
        let stripRows = min(rowsPerStrip, layout.height - firstRow)
        let strip = handle.stripIndex(row: firstRow, plane: plane)
        if let scratch {
          try handle.readStrip(strip, into: scratch, byteCount: stripRows * rowBytes)
          for row in max(firstRow, rows.lowerBound)..<min(firstRow + stripRows, rows.upperBound) {
            emitRow(from: scratch + (row - firstRow) * rowBytes, plane: plane, y: row, x: 0,
                    count: layout.width, into: destination)
          }
        } else {
          let rows = stripRows
          let offset = (plane * layout.height + firstRow) * rowBytes
          try handle.readStrip(strip, into: destination + offset, byteCount: rows * rowBytes)
        }
      }
    }
  }

  private func decodeTiles(tileWidth: Int, tileHeight: Int, into destination: UnsafeMutableRawPointer) throws(TIFFError) {
    let rowBytes = storedRow(width: tileWidth).bytes
    let (tileBytes, overflow) = rowBytes.multipliedReportingOverflow(by: tileHeight)
    try checkScratch(tileBytes, overflow: overflow, what: "tiles of \(tileWidth)×\(tileHeight) are")
    guard handle.tileByteCount == tileBytes else {
      throw handle.error(.corrupt, "page \(layout.directory + 1): tile size \(handle.tileByteCount) bytes, expected \(tileBytes)")
    }
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: tileBytes, alignment: 16)
    defer { scratch.deallocate() }
    let firstTileY = rows.lowerBound - rows.lowerBound % tileHeight
    for plane in 0..<planeCount {
      for tileY in stride(from: firstTileY, to: rows.upperBound, by: tileHeight) {
        for tileX in stride(from: 0, to: layout.width, by: tileWidth) {
          try handle.readTile(handle.tileIndex(x: tileX, y: tileY, plane: plane), into: scratch,
                              byteCount: tileBytes)
          let columns = min(tileWidth, layout.width - tileX)
          for row in max(tileY, rows.lowerBound)..<min(tileY + tileHeight, layout.height, rows.upperBound) {
            emitRow(from: scratch + (row - tileY) * rowBytes, plane: plane, y: row, x: tileX,
                    count: columns, into: destination)
          }
        }
      }
    }
  }

  /// Copies `count` decoded pixels of page row `y` (inside `rows`), starting at column `x`,
  /// into the planar destination: unpacking bits, copying a plane's run, or splitting
  /// interleaved samples.
  private func emitRow(
    from source: UnsafeRawPointer, plane: Int, y pageRow: Int, x: Int, count: Int,
    into destination: UnsafeMutableRawPointer
  ) {
    let width = layout.width
    let y = pageRow - rows.lowerBound
    let planeSamples = width * rows.count
    let sampleBytes = layout.stored.byteCount
    if layout.stored == .bit {
      let target = destination.assumingMemoryBound(to: UInt8.self) + (y * width + x)
      let bytes = source.assumingMemoryBound(to: UInt8.self)
      for i in 0..<count {
        target[i] = (bytes[i >> 3] >> UInt8(7 - (i & 7))) & 1
      }
    } else if layout.isPlanarSeparate || layout.samplesPerPixel == 1 {
      let offset = (plane * planeSamples + y * width + x) * sampleBytes
      (destination + offset).copyMemory(from: source, byteCount: count * sampleBytes)
    } else {
      let first = (y * width + x) * sampleBytes
      switch sampleBytes {
      case 1: deinterleave(UInt8.self, from: source, count: count, into: destination + first, planeSamples: planeSamples)
      case 2: deinterleave(UInt16.self, from: source, count: count, into: destination + first, planeSamples: planeSamples)
      case 4: deinterleave(UInt32.self, from: source, count: count, into: destination + first, planeSamples: planeSamples)
      default: deinterleave(UInt64.self, from: source, count: count, into: destination + first, planeSamples: planeSamples)
      }
    }
  }

  /// Splits `count` pixels of interleaved samples into the planes, which are `planeSamples`
  /// samples apart; `target` points at the pixel's place in plane 0.
  private func deinterleave<T: FixedWidthInteger>(
    _ type: T.Type, from source: UnsafeRawPointer, count: Int, into target: UnsafeMutableRawPointer,
    planeSamples: Int
  ) {
    let channels = layout.samplesPerPixel
    let size = MemoryLayout<T>.size
    for channel in 0..<channels {
      let plane = target + channel * planeSamples * size
      for i in 0..<count {
        let value = source.loadUnaligned(fromByteOffset: (i * channels + channel) * size, as: T.self)
        plane.storeBytes(of: value, toByteOffset: i * size, as: T.self)
      }
    }
  }

  private static func convertToFloat32(
    _ source: UnsafeRawPointer, storedBytes: Int, count: Int, into target: UnsafeMutableRawPointer
  ) {
    let floats = target.assumingMemoryBound(to: Float.self)
    if storedBytes == 8 {
      let doubles = source.assumingMemoryBound(to: Double.self)
      for i in 0..<count { floats[i] = Float(doubles[i]) }
    } else {
      let halves = source.assumingMemoryBound(to: UInt16.self)
      for i in 0..<count { floats[i] = floatFromHalf(halves[i]) }
    }
  }

  /// IEEE 754 binary16 to binary32 (exact: every half is a float).
  static func floatFromHalf(_ bits: UInt16) -> Float {
    let sign: UInt32 = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
    if exponent == 0 {
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    }
    return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
  }
}
