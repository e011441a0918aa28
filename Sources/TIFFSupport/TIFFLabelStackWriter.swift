/// Writes label images (0 background, 1... objects) one page at a time as uint16, or as uint32
/// for the whole file when any page has a label above 65535: a stack that ImageJ reads has one
/// sample type.
///
/// The type is decided while streaming: pages are written as uint16 while all fit; when a page
/// needs uint32, the pages already written are read back from the temporary file and rewritten
/// as uint32 (`TIFFStreamWriter.rewriteAppended`). That costs one extra pass over those pages,
/// only in that rare case, and never holds more than one page in memory. The finished file is
/// the one `TIFFWriter.write` gives for all pages converted to the chosen type. Negative labels
/// are written as 0. Not thread-safe.
public final class TIFFLabelStackWriter {
  private let writer: TIFFStreamWriter
  /// Whether the file holds uint32 labels (so far).
  public private(set) var isWide = false

  /// Prepares to write `imageCount` label pages to `path` (see `TIFFStreamWriter.init`).
  public init(path: String, imageCount: Int, calibration: TIFFCalibration? = nil,
              compression: TIFFCompression = .deflate) throws(TIFFError) {
    writer = try TIFFStreamWriter(path: path, imageCount: imageCount, channels: 1, calibration: calibration,
                                  compression: compression)
  }

  /// Writes the next page of `width` × `height` labels (row-major).
  /// - Throws: what `TIFFStreamWriter.append` throws; the writer is then discarded.
  public func append(width: Int, height: Int, labels: [Int32]) throws(TIFFError) {
    if !isWide, let largest = labels.max(), largest > Int32(UInt16.max) {
      try writer.rewriteAppended(Self.widened)
      isWide = true
    }
    let samples: TIFFSamples = isWide
      ? .uint32(labels.map { UInt32(clamping: $0) })
      : .uint16(labels.map { UInt16(clamping: $0) })
    try writer.append(TIFFImage(width: width, height: height, channels: 1, samples: samples))
  }

  /// See `TIFFStreamWriter.complete()`.
  public func complete() throws(TIFFError) { try writer.complete() }

  /// See `TIFFStreamWriter.finish()`.
  public func finish() throws(TIFFError) { try writer.finish() }

  /// See `TIFFStreamWriter.discard()`.
  public func discard() { writer.discard() }

  /// A uint16 label page as uint32.
  private static func widened(_ image: TIFFImage) throws(TIFFError) -> TIFFImage {
    guard case .uint16(let values) = image.samples else {
      throw TIFFError(.writeFailed, path: "", message: "labels written as uint16 read back as \(image.sampleType.rawValue)")
    }
    return TIFFImage(width: image.width, height: image.height, channels: 1, samples: .uint32(values.map { UInt32($0) }))
  }
}
