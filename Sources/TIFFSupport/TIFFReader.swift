/// Reads TIFF files through libtiff: 1-bit, 8/16/32-bit unsigned and signed integers, 16/32/64-bit
/// floats (as `float32`); one or more samples per pixel, interleaved or planar; strips or tiles;
/// every compression libtiff decodes; multi-page and BigTIFF; ImageJ hyperstacks as channels.
///
/// Pixel values are returned as stored: palette images give their indices, min-is-white images
/// are not inverted. Sizes claimed by the header are checked against `TIFFReadLimits` and the file
/// size before any pixel buffer is allocated. Safe to call from several threads at once.
/// `TIFFPageReader` reads the same images one at a time.
public enum TIFFReader {
  /// Reads every image of the file at `path`.
  /// - Throws: `TIFFError` naming the file: `.notFound`, `.unreadable`, `.notTIFF`, `.corrupt`,
  ///   `.unsupported` or `.tooLarge`, with libtiff's message where it gave one.
  public static func read(path: String, limits: TIFFReadLimits = .standard) throws(TIFFError) -> TIFFStack {
    let reader = try TIFFPageReader(path: path, limits: limits)
    var images: [TIFFImage] = []
    images.reserveCapacity(reader.imageCount)
    for index in 0..<reader.imageCount {
      images.append(try reader.image(at: index))
    }
    let info = reader.info
    return TIFFStack(images: images, calibration: info.calibration, hyperstack: info.hyperstack,
                     description: info.description)
  }

  /// Reads the tags of the file at `path`, without decoding pixels, and checks everything
  /// `read` checks before decoding.
  public static func readInfo(path: String, limits: TIFFReadLimits = .standard) throws(TIFFError) -> TIFFStackInfo {
    try TIFFPageReader(path: path, limits: limits).info
  }
}
