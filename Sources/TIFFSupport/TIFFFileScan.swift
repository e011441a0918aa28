import CTIFF

/// What a reader learns from a file's directories before decoding any pixel: every page's
/// layout, how pages form images (ImageJ hyperstack channels or one image per page), the
/// calibration, and that the claimed sizes respect the limits and fit in the file.
struct TIFFFileScan {
  /// The pages of each image, in file order (several only for hyperstack channels).
  var imagePages: [[TIFFPageLayout]]
  /// All directories in the file, including skipped auxiliary ones.
  var pageCount: Int
  var decodedByteCount: Int
  var isBigTIFF: Bool
  var hyperstack: TIFFHyperstack
  var calibration: TIFFCalibration?
  var description: String?

  /// Scans every directory of `handle`, which must be freshly opened (on directory 0).
  /// - Throws: `.tooLarge` beyond `limits`, `.corrupt` when the pixels claimed cannot fit in a
  ///   file of `fileSize` bytes or a directory is unreadable, `.unsupported` for layouts the
  ///   decoder does not handle.
  static func scan(_ handle: LibTIFFHandle, fileSize: Int, limits: TIFFReadLimits) throws(TIFFError) -> TIFFFileScan {
    let description = handle.string(TIFFTAG_IMAGEDESCRIPTION)
    let imageJ = description.flatMap(ImageJDescription.init(parsing:))
    let ome = imageJ == nil ? description.flatMap(OMEXMLDescription.init(parsing:)) : nil
    let calibration = readCalibration(handle, imageJ: imageJ, ome: ome)
    let errorsAtOpen = handle.errorCount

    var pages: [TIFFPageLayout] = []
    var pageCount = 0
    var decodedBytes = 0
    var fileBytesNeeded = 0.0
    repeat {
      let page = try TIFFPageLayout.current(in: handle)
      pageCount += 1
      if page.isAuxiliary { continue }
      let (total, overflow) = decodedBytes.addingReportingOverflow(page.decodedByteCount)
      guard !overflow, total <= limits.maxDecodedBytes else {
        throw handle.error(.tooLarge, "pixels of \(pageCount) page(s) need more than the limit of \(limits.maxDecodedBytes) bytes (page \(pageCount): \(page.width)×\(page.height)×\(page.samplesPerPixel) \(page.outputType.rawValue))")
      }
      decodedBytes = total
      fileBytesNeeded += Double(page.storedByteCount) / page.maximumCompressionRatio
      guard fileBytesNeeded <= Double(fileSize) else {
        throw handle.error(.corrupt, "page \(pageCount) claims \(page.width)×\(page.height)×\(page.samplesPerPixel) samples, more than a \(fileSize)-byte file can hold (truncated or damaged)")
      }
      pages.append(page)
    } while handle.readNextDirectory()
    guard handle.errorCount == errorsAtOpen else {
      throw handle.error(.corrupt, "page \(pageCount + 1) cannot be read")
    }
    guard handle.readFailureWarningCount == 0 else {
      throw handle.error(.corrupt, "tag data lie beyond the end of the file (truncated or damaged)")
    }
    if let announced = imageJ?.images, announced != pageCount {
      // ImageJ saves stacks over 4 GiB with one directory and the pixel data of all images
      // back to back; other mismatches mean lost directories.
      let bigStack = pageCount == 1 && pages.first?.compression == UInt16(COMPRESSION_NONE)
      throw handle.error(bigStack ? .unsupported : .corrupt,
                         bigStack
                           ? "ImageJ's layout for stacks over 4 GiB (\(announced) images, one directory) is not read"
                           : "ImageJ's description announces \(announced) images but the file has \(pageCount) pages (truncated or damaged)")
    }
    guard let first = pages.first else {
      throw handle.error(.unsupported, "the file holds only reduced-resolution or mask pages")
    }

    let (imagePages, hyperstack) = ome.flatMap { arrange(pages, ome: $0) } ?? arrange(pages, imageJ: imageJ)
    return TIFFFileScan(
      imagePages: imagePages, pageCount: pageCount, decodedByteCount: decodedBytes,
      isBigTIFF: handle.isBigTIFF,
      hyperstack: hyperstack ?? TIFFHyperstack(channels: first.samplesPerPixel, slices: pages.count, frames: 1),
      calibration: calibration, description: description)
  }

  /// Groups the pages of an OME-TIFF into images: one image per Z plane and time point (time
  /// outer, Z inner, as ImageJ orders a hyperstack), its channels the C planes wherever the
  /// dimension order puts them. Nil when the XML's counts do not fit the pages (then every page
  /// is an image, e.g. RGB pages whose samples are the channels).
  static func arrange(_ pages: [TIFFPageLayout], ome: OMEXMLDescription) -> ([[TIFFPageLayout]], TIFFHyperstack?)? {
    let (channels, slices, frames) = (ome.sizeC, ome.sizeZ, ome.sizeT)
    guard channels > 1, pages.count == channels * slices * frames, let first = pages.first,
      pages.allSatisfy({ $0.samplesPerPixel == 1 && $0.width == first.width && $0.height == first.height
        && $0.outputType == first.outputType })
    else { return nil }
    var images: [[TIFFPageLayout]] = []
    for t in 0..<frames {
      for z in 0..<slices {
        let indices = (0..<channels).compactMap { ome.pageIndex(c: $0, z: z, t: t) }
        guard indices.count == channels, indices.allSatisfy(pages.indices.contains) else { return nil }
        images.append(indices.map { pages[$0] })
      }
    }
    return (images, TIFFHyperstack(channels: channels, slices: slices, frames: frames))
  }

  /// Groups pages into images. ImageJ stores a hyperstack's channels as consecutive pages
  /// (channel fastest, then slice, then frame); they form one image when the description's
  /// counts match the pages and all pages are single-channel with the same size and type.
  /// Otherwise every page is an image. The hyperstack is nil when the description says nothing
  /// that fits.
  static func arrange(_ pages: [TIFFPageLayout], imageJ: ImageJDescription?) -> ([[TIFFPageLayout]], TIFFHyperstack?) {
    let slices = imageJ?.slices ?? 1
    let frames = imageJ?.frames ?? 1
    if let channels = imageJ?.channels, channels > 1, let first = pages.first,
       pages.count == channels * slices * frames,
       pages.allSatisfy({ $0.samplesPerPixel == 1 && $0.width == first.width && $0.height == first.height
                          && $0.outputType == first.outputType }) {
      let images = stride(from: 0, to: pages.count, by: channels).map { Array(pages[$0..<$0 + channels]) }
      return (images, TIFFHyperstack(channels: channels, slices: slices, frames: frames))
    }
    let images = pages.map { [$0] }
    guard let first = pages.first, imageJ != nil, (imageJ?.channels ?? 1) == 1, slices * frames == pages.count else {
      return (images, nil)
    }
    return (images, TIFFHyperstack(channels: first.samplesPerPixel, slices: slices, frames: frames))
  }

  /// Pixel size from OME-XML (`OMEXMLDescription`), else from XResolution/YResolution (pixels
  /// per unit) with ImageJ's `unit=` and `spacing=`, else the TIFF resolution unit (inch, cm).
  /// Nil when the file states nothing (no resolution, or a unitless 1×1 one).
  static func readCalibration(
    _ handle: LibTIFFHandle, imageJ: ImageJDescription?, ome: OMEXMLDescription?
  ) -> TIFFCalibration? {
    func size(_ resolution: Float?) -> Double? {
      guard let resolution, resolution.isFinite, resolution > 0 else { return nil }
      return 1 / Double(resolution)
    }
    // OME-TIFF states the size in its XML (the resolution tags are often absent or stale there).
    if let calibration = ome?.calibration { return calibration }
    let width = size(handle.float(TIFFTAG_XRESOLUTION))
    let height = size(handle.float(TIFFTAG_YRESOLUTION))
    guard width != nil || imageJ?.unit != nil || imageJ?.spacing != nil else { return nil }
    let unit: String
    if let named = imageJ?.unit {
      unit = TIFFCalibration.normalizedUnit(named)
    } else {
      switch handle.uint16(TIFFTAG_RESOLUTIONUNIT, defaulted: true).map(Int32.init) {
      case RESUNIT_INCH: unit = "inch"
      case RESUNIT_CENTIMETER: unit = "cm"
      default: unit = "pixel"
      }
    }
    let calibration = TIFFCalibration(pixelWidth: width ?? 1, pixelHeight: height ?? width ?? 1,
                                      unit: unit, spacing: imageJ?.spacing)
    // Many writers add a unitless 1×1 resolution by default; it states nothing.
    return calibration == TIFFCalibration(pixelWidth: 1, pixelHeight: 1, unit: "pixel") ? nil : calibration
  }
}
