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
  public static let micrometre = "µm"

  /// Micrometres in one `unit` (after `normalizedUnit`), nil for "pixel" and unknown units:
  /// the one table of length units for ImageJ's `unit=`, the TIFF resolution unit and OME-XML.
  public static func micrometres(perUnit unit: String) -> Double? {
    switch normalizedUnit(unit) {
    case micrometre: 1
    case "nm", "nanometer", "nanometre": 1e-3
    case "pm": 1e-6
    case "Å", "\u{212B}", "angstrom": 1e-4
    case "mm", "millimeter", "millimetre": 1e3
    case "cm", "centimeter", "centimetre": 1e4
    case "m", "meter", "metre": 1e6
    case "inch", "in": 25_400
    default: nil
    }
  }

  /// The pixel's width and height in micrometres; nil when the unit is not a length.
  public var micrometresPerPixel: (width: Double, height: Double)? {
    guard let factor = Self.micrometres(perUnit: unit) else { return nil }
    return (pixelWidth * factor, pixelHeight * factor)
  }

  /// ImageJ's spellings of micrometre mapped to "µm"; other units unchanged.
  static func normalizedUnit(_ unit: String) -> String {
    switch unit.lowercased() {
    case "micron", "microns", "um", "µm", "\u{03BC}m", "micrometer", "micrometre": micrometre
    default: unit
    }
  }
}
