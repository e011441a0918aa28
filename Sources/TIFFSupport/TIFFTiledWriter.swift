import CTIFF

/// Writes one single-channel image as a tiled TIFF (BigTIFF on request), a band of tile rows at
/// a time from a row provider, so that inputs larger than memory can be made: for tests and
/// measurements of streamed reading (microscopes and slide scanners write such files).
public enum TIFFTiledWriter {
  /// Writes a `width` × `height` image of `sampleType` in `tileSize` × `tileSize` tiles.
  /// - Parameters:
  ///   - rows: the samples of the requested rows (whole rows, row-major); asked for each band
  ///     of `tileSize` rows once, top to bottom.
  /// - Throws: `.invalidData` for bad sizes or rows of the wrong size or type, `.writeFailed`
  ///   when libtiff fails (nothing is left at `path` then).
  public static func write(
    path: String, width: Int, height: Int, sampleType: TIFFSampleType, tileSize: Int = 256, bigTIFF: Bool = true,
    compression: TIFFCompression = .deflate, rows: (Range<Int>) -> TIFFSamples
  ) throws(TIFFError) {
    guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max), tileSize > 0,
      tileSize % 16 == 0
    else {
      throw TIFFError(.invalidData, path: path, message: "\(width)×\(height) in tiles of \(tileSize) (a multiple of 16) cannot be written")
    }
    let temporary = try TemporarySibling(for: path)
    do throws(TIFFError) {
      let handle = try LibTIFFHandle.open(
        path: temporary.path, mode: bigTIFF ? "w8" : "w", maxSingleAllocation: 0, classify: { .writeFailed })
      defer { handle.close() }
      let type = sampleType
      try TIFFWriter.setPageTags(
        handle, width: width, height: height, type: type, compression: compression, predictor: false,
        blocks: .tiles(width: tileSize, height: tileSize), calibration: nil, description: nil)
      let sampleBytes = type.byteCount
      let tileBytes = tileSize * tileSize * sampleBytes
      let tile = UnsafeMutableRawPointer.allocate(byteCount: tileBytes, alignment: 16)
      defer { tile.deallocate() }
      for tileY in stride(from: 0, to: height, by: tileSize) {
        let bandRows = min(tileSize, height - tileY)
        let band = rows(tileY..<(tileY + bandRows))
        guard band.sampleType == type, band.count == bandRows * width else {
          throw TIFFError(.invalidData, path: path, message: "rows \(tileY)..<\(tileY + bandRows): \(band.count) \(band.sampleType.rawValue) samples, expected \(bandRows * width) \(type.rawValue)")
        }
        try band.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws(TIFFError) in
          guard let base = bytes.baseAddress else { return }
          for tileX in stride(from: 0, to: width, by: tileSize) {
            tile.initializeMemory(as: UInt8.self, repeating: 0, count: tileBytes)
            let columns = min(tileSize, width - tileX)
            for row in 0..<bandRows {
              (tile + row * tileSize * sampleBytes).copyMemory(
                from: base + (row * width + tileX) * sampleBytes, byteCount: columns * sampleBytes)
            }
            try handle.writeTile(handle.tileIndex(x: tileX, y: tileY, plane: 0), from: tile, byteCount: tileBytes)
          }
        }
      }
      try handle.writeDirectory()
      try handle.flush()
      guard handle.errorCount == 0 else { throw handle.error(.writeFailed, "libtiff reported an error") }
      handle.close()
      try temporary.commit()
    } catch {
      temporary.discard()
      throw error.attributed(to: path)
    }
  }
}
