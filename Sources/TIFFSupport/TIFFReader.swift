/// Reads TIFF files through libtiff: 1-bit, 8/16/32-bit unsigned and signed integers, 16/32/64-bit
/// floats (as `float32`); one or more samples per pixel, interleaved or planar; strips or tiles;
/// every compression libtiff decodes; multi-page and BigTIFF; ImageJ hyperstacks as channels.
///
/// Pixel values are returned as stored: palette images give their indices, min-is-white images
/// are not inverted. Sizes claimed by the header are checked against `TIFFReadLimits` and the file
/// size before any pixel buffer is allocated. Safe to call from several threads at once.
public enum TIFFReader {
  /// Reads every image of the file at `path`.
  /// - Throws: `TIFFError` naming the file: `.notFound`, `.unreadable`, `.notTIFF`, `.corrupt`,
  ///   `.unsupported` or `.tooLarge`, with libtiff's message where it gave one.
  public static func read(path: String, limits: TIFFReadLimits = .standard) throws(TIFFError) -> TIFFStack {
    let handle = try open(path, limits: limits)
    defer { handle.close() }
    let scan = try TIFFFileScan.scan(handle, fileSize: try FileProbe.regularFileSize(path), limits: limits)
    var images: [TIFFImage] = []
    images.reserveCapacity(scan.imagePages.count)
    for pages in scan.imagePages {
      images.append(try decodeImage(pages, handle: handle))
    }
    return TIFFStack(images: images, calibration: scan.calibration, hyperstack: scan.hyperstack,
                     description: scan.description)
  }

  /// Reads the tags of the file at `path`, without decoding pixels, and checks everything
  /// `read` checks before decoding.
  public static func readInfo(path: String, limits: TIFFReadLimits = .standard) throws(TIFFError) -> TIFFStackInfo {
    let handle = try open(path, limits: limits)
    defer { handle.close() }
    let scan = try TIFFFileScan.scan(handle, fileSize: try FileProbe.regularFileSize(path), limits: limits)
    let shapes = scan.imagePages.map { pages in
      [pages[0].width, pages[0].height, pages.count * pages[0].samplesPerPixel]
    }
    let first = scan.imagePages[0][0]
    return TIFFStackInfo(
      width: first.width, height: first.height, channels: shapes[0][2], sampleType: first.outputType,
      imageCount: scan.imagePages.count, pageCount: scan.pageCount,
      decodedByteCount: scan.decodedByteCount,
      isUniform: shapes.allSatisfy { $0 == shapes[0] }
        && scan.imagePages.allSatisfy { $0[0].outputType == first.outputType },
      isBigTIFF: scan.isBigTIFF, hyperstack: scan.hyperstack, calibration: scan.calibration,
      description: scan.description)
  }

  private static func open(_ path: String, limits: TIFFReadLimits) throws(TIFFError) -> LibTIFFHandle {
    guard try FileProbe.regularFileSize(path) > 0 else {
      throw TIFFError(.notTIFF, path: path, message: "the file is empty")
    }
    return try LibTIFFHandle.open(
      path: path, mode: "rm", maxSingleAllocation: max(limits.maxDecodedBytes, 1 << 20),
      classify: { FileProbe.classifyOpenFailure(path) })
  }

  /// Decodes the pages of one image (its channels) into one planar sample array.
  private static func decodeImage(_ pages: [TIFFPageLayout], handle: LibTIFFHandle) throws(TIFFError) -> TIFFImage {
    let first = pages[0]
    let channels = pages.count * first.samplesPerPixel
    let pageBytes = first.decodedByteCount
    let samples = try TIFFSamples.make(first.outputType, count: channels * first.width * first.height) {
      (buffer: UnsafeMutableRawBufferPointer) throws(TIFFError) in
      for (index, page) in pages.enumerated() {
        try handle.moveToDirectory(page.directory)
        let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[index * pageBytes..<(index + 1) * pageBytes])
        try TIFFPageDecoder(layout: page, handle: handle).decode(into: slice)
      }
    }
    return TIFFImage(width: first.width, height: first.height, channels: channels, samples: samples)
  }
}
