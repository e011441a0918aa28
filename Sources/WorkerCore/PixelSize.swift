import ImageOps
import TIFFSupport

/// The physical size of an image's pixels in micrometres, and the one rule for when two sizes
/// differ enough that an image is resampled for a model (Protocol/README.md, "Pixel size").
///
/// A model remembers the pixel size of its training images (or `config.pixel_size`); `segment`
/// brings every image to that grid, runs the network there, and returns the outputs on the
/// image's own grid. Cellpose and nnU-Net normalise by object diameter and voxel spacing in the
/// same spirit: a network only knows objects at the scale it was trained on.
struct PixelSize: Sendable, Equatable {
  /// Micrometres per pixel along x and y.
  var width: Double
  var height: Double

  init(width: Double, height: Double) {
    precondition(width > 0 && height > 0 && width.isFinite && height.isFinite, "PixelSize: \(width) x \(height)")
    self.width = width
    self.height = height
  }

  /// Square pixels of `micrometres`.
  init(_ micrometres: Double) { self.init(width: micrometres, height: micrometres) }

  /// The size a file states in a length unit, nil when it states none. A resolution in inches or
  /// centimetres only (the TIFF resolution unit, e.g. the 72 dpi that image editors write) is a
  /// printing resolution, not a microscope's pixel size, and is ignored.
  init?(calibration: TIFFCalibration?) {
    guard let calibration, !["inch", "cm"].contains(calibration.unit),
      let (width, height) = calibration.micrometresPerPixel,
      width > 0, height > 0, width.isFinite, height.isFinite
    else { return nil }
    self.init(width: width, height: height)
  }

  /// One number for the pixel: the geometric mean of width and height.
  var micrometres: Double { (width * height).squareRoot() }

  /// Whether an image of this size must be resampled for a model of `model` µm: when either
  /// axis differs by more than `tolerance` (1 %).
  func differs(from model: Double) -> Bool {
    abs(width / model - 1) > Self.tolerance || abs(height / model - 1) > Self.tolerance
  }

  static let tolerance = 0.01

  /// Micrometres per pixel accepted in requests: from 0.1 pm to 1 m.
  static let acceptedRange = 1e-7...1e6

  /// The image's size on the grid of a `model`-µm model: the same field of view in that
  /// model's pixels.
  func resampledSize(width: Int, height: Int, model: Double) -> (width: Int, height: Int) {
    (
      width: resampledCount(width, pixelSize: self.width, targetPixelSize: model),
      height: resampledCount(height, pixelSize: self.height, targetPixelSize: model)
    )
  }

  /// The model's pixel size when training images state these sizes and the request none: the
  /// median of their `micrometres` (the nnU-Net choice of target spacing), nil when none does.
  static func trainingTarget(_ sizes: [PixelSize?]) -> Double? {
    let known = sizes.compactMap { $0?.micrometres }.sorted()
    guard !known.isEmpty else { return nil }
    let middle = known.count / 2
    return known.count % 2 == 1 ? known[middle] : (known[middle - 1] + known[middle]) / 2
  }
}
