/// How the images of a stack are arranged, in ImageJ's terms: every image has `channels`
/// channels, and there are `slices` × `frames` images (slice-major within a frame, as ImageJ
/// orders them). A plain multi-page file is `slices` = pages, `frames` = 1; a single RGB page is
/// `channels` = 3, `slices` = `frames` = 1.
public struct TIFFHyperstack: Sendable, Equatable {
  public var channels: Int
  public var slices: Int
  public var frames: Int

  public init(channels: Int, slices: Int, frames: Int) {
    self.channels = channels
    self.slices = slices
    self.frames = frames
  }
}

/// Everything read from one TIFF file.
public struct TIFFStack: Sendable, Equatable {
  /// The images, in file order. An ImageJ hyperstack with C channels gives one image of C
  /// channels per (slice, frame); a plain multi-page file gives one image per page; a page with
  /// several samples per pixel (RGB, planar or contiguous) gives one image with several channels.
  /// Reduced-resolution pages (thumbnails, pyramid levels) are skipped.
  public var images: [TIFFImage]
  /// Pixel size from the first page; nil when the file states none (no resolution tags, or a
  /// unitless 1×1 resolution, which many writers add by default).
  public var calibration: TIFFCalibration?
  /// The arrangement of `images` (describes image 0 when the pages differ in size or channels).
  public var hyperstack: TIFFHyperstack
  /// The first page's ImageDescription, as stored.
  public var description: String?

  public init(images: [TIFFImage], calibration: TIFFCalibration?, hyperstack: TIFFHyperstack,
              description: String?) {
    self.images = images
    self.calibration = calibration
    self.hyperstack = hyperstack
    self.description = description
  }
}

/// What `TIFFReader.readInfo` learns from the tags alone, without decoding pixels. When it
/// succeeds, `TIFFReader.read` fails only on damaged pixel data.
public struct TIFFStackInfo: Sendable, Equatable {
  /// Size of image 0.
  public var width: Int
  public var height: Int
  /// Channels of image 0.
  public var channels: Int
  /// The in-memory type of image 0's samples (see `TIFFSampleType`).
  public var sampleType: TIFFSampleType
  /// Number of images `read` returns.
  public var imageCount: Int
  /// Number of TIFF pages (directories) in the file, including skipped reduced-resolution ones.
  public var pageCount: Int
  /// Bytes `read` allocates for all samples.
  public var decodedByteCount: Int
  /// True when all images share size, channels and sample type.
  public var isUniform: Bool
  public var isBigTIFF: Bool
  public var hyperstack: TIFFHyperstack
  public var calibration: TIFFCalibration?
  public var description: String?
}

/// Bounds on what a reader allocates for one file, checked against the tags before any pixel
/// buffer is allocated, since a header can claim any size.
public struct TIFFReadLimits: Sendable, Equatable {
  /// Upper bound on the decoded samples of all images of one file, in bytes.
  public var maxDecodedBytes: Int

  public init(maxDecodedBytes: Int) {
    self.maxDecodedBytes = maxDecodedBytes
  }

  /// 4 GiB of decoded samples per file: what a reader that decodes whole pages may allocate.
  public static let standard = TIFFReadLimits(maxDecodedBytes: 4 << 30)

  /// 1 TiB of decoded samples per file, for a page read band by band (`TIFFPageReader.rows`),
  /// whose memory is bounded by the band, not the file: a 50,000² RGB slide (7.5 GB) is read.
  /// The header must still fit the file (a compressed page of at most its codec's ratio), and
  /// libtiff's single allocations stay within `standard`.
  public static let streamed = TIFFReadLimits(maxDecodedBytes: 1 << 40)
}
