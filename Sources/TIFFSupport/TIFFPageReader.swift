/// Reads a TIFF file one image at a time, so that a long stack never has to fit in memory:
/// the file is opened and its directories scanned once (with every check `TIFFReader.read`
/// makes before decoding), then `image(at:)` decodes one image (the pages of its channels for
/// an ImageJ hyperstack) on request.
///
/// Images are the same as `TIFFReader.read` gives, in the same order. Not thread-safe (it
/// holds one libtiff handle); use one reader per thread.
public final class TIFFPageReader {
  public let path: String
  /// What the file holds, as `TIFFReader.readInfo` reports it.
  public let info: TIFFStackInfo
  private let handle: LibTIFFHandle
  private let imagePages: [[TIFFPageLayout]]

  /// Opens `path` and scans its directories.
  /// - Throws: `TIFFError` naming the file, as `TIFFReader.read` does before decoding.
  public init(path: String, limits: TIFFReadLimits = .standard) throws(TIFFError) {
    guard try FileProbe.regularFileSize(path) > 0 else {
      throw TIFFError(.notTIFF, path: path, message: "the file is empty")
    }
    let handle = try LibTIFFHandle.open(
      path: path, mode: "rm",
      maxSingleAllocation: min(max(limits.maxDecodedBytes, 1 << 20), TIFFReadLimits.standard.maxDecodedBytes),
      classify: { FileProbe.classifyOpenFailure(path) })
    let scan = try TIFFFileScan.scan(handle, fileSize: try FileProbe.regularFileSize(path), limits: limits)
    self.path = path
    self.handle = handle
    self.imagePages = scan.imagePages
    self.info = Self.info(of: scan)
  }

  deinit {
    handle.close()
  }

  /// Number of images (`info.imageCount`).
  public var imageCount: Int { imagePages.count }

  /// Decodes image `index` (0-based, `0..<imageCount`).
  /// - Throws: `.corrupt` for damaged pixel data; `.invalidData` for an index out of range;
  ///   `.tooLarge` for an image of more than `TIFFReadLimits.standard` (read it by `rows`).
  public func image(at index: Int) throws(TIFFError) -> TIFFImage {
    guard imagePages.indices.contains(index) else {
      throw TIFFError(.invalidData, path: path, message: "image \(index) requested, the file has \(imagePages.count)")
    }
    // A file opened with `TIFFReadLimits.streamed` may hold a page too large to decode whole.
    let bytes = imagePages[index].reduce(0) { $0 + $1.decodedByteCount }
    let limit = TIFFReadLimits.standard.maxDecodedBytes
    guard bytes <= limit else {
      let first = imagePages[index][0]
      throw TIFFError(
        .tooLarge, path: path,
        message: "image \(index + 1) (\(first.width)×\(first.height)×\(imagePages[index].count * first.samplesPerPixel) \(first.outputType.rawValue)) needs more than the limit of \(limit) bytes to decode whole")
    }
    return try Self.decodeImage(imagePages[index], handle: handle)
  }

  /// Decodes rows `rows` of image `index` only (all its channels): the strips or tiles that
  /// cover them, so that a page larger than memory can be read band by band. The result is
  /// those rows of what `image(at:)` gives (`width` × `rows.count`).
  /// - Throws: `.corrupt` for damaged pixel data; `.invalidData` for an index or rows out of range.
  public func rows(_ rows: Range<Int>, ofImage index: Int) throws(TIFFError) -> TIFFImage {
    guard imagePages.indices.contains(index) else {
      throw TIFFError(.invalidData, path: path, message: "image \(index) requested, the file has \(imagePages.count)")
    }
    let pages = imagePages[index]
    let first = pages[0]
    guard rows.lowerBound >= 0, rows.upperBound <= first.height, !rows.isEmpty else {
      throw TIFFError(.invalidData, path: path, message: "rows \(rows) requested, the image has \(first.height)")
    }
    let channels = pages.count * first.samplesPerPixel
    let samples = try TIFFSamples.make(first.outputType, count: channels * first.width * rows.count) {
      (buffer: UnsafeMutableRawBufferPointer) throws(TIFFError) in
      var offset = 0
      for page in pages {
        try handle.moveToDirectory(page.directory)
        let decoder = TIFFPageDecoder(layout: page, handle: handle, rows: rows)
        let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + decoder.decodedByteCount)])
        try decoder.decode(into: slice)
        offset += decoder.decodedByteCount
      }
    }
    return TIFFImage(width: first.width, height: rows.count, channels: channels, samples: samples)
  }

  /// The tag summary of a scanned file.
  private static func info(of scan: TIFFFileScan) -> TIFFStackInfo {
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

  /// Decodes the pages of one image (its channels) into one planar sample array.
  static func decodeImage(_ pages: [TIFFPageLayout], handle: LibTIFFHandle) throws(TIFFError) -> TIFFImage {
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
