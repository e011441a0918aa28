/// The physical size of a pixel, from the resolution tags (XResolution/YResolution, pixels per
/// unit) and ImageJ's ImageDescription (`unit=`, `spacing=`), which ImageJ uses because the TIFF
/// resolution unit only knows inch and centimetre.
public struct TIFFCalibration: Sendable, Equatable {
  /// Width of one pixel in `unit`.
  public var pixelWidth: Double
  /// Height of one pixel in `unit`.
  public var pixelHeight: Double
  /// "µm" (ImageJ's "micron" and "um" are read as "µm"), "nm", "mm", "cm", "inch", ...;
  /// "pixel" when the file gives a resolution but no unit.
  public var unit: String
  /// Distance between slices of a z-stack in `unit` (ImageJ's `spacing=`), when given.
  public var spacing: Double?

  public init(pixelWidth: Double, pixelHeight: Double, unit: String, spacing: Double? = nil) {
    self.pixelWidth = pixelWidth
    self.pixelHeight = pixelHeight
    self.unit = unit
    self.spacing = spacing
  }

  /// The spelling used for micrometres everywhere in this package.
  static let micrometre = "µm"

  /// ImageJ's spellings of micrometre mapped to "µm"; other units unchanged.
  static func normalizedUnit(_ unit: String) -> String {
    switch unit.lowercased() {
    case "micron", "microns", "um", "µm", "\u{03BC}m", "micrometer", "micrometre": micrometre
    default: unit
    }
  }
}
