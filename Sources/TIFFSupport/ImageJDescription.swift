/// The `key=value` lines ImageJ writes into the first page's ImageDescription, starting with
/// `ImageJ=<version>`: stack arrangement (`images=`, `channels=`, `slices=`, `frames=`) and
/// calibration (`unit=`, `spacing=`). ImageJ escapes non-ASCII characters as `\uXXXX`
/// (µm is stored as `unit=\u00B5m`).
struct ImageJDescription: Equatable {
  var images: Int?
  var channels: Int?
  var slices: Int?
  var frames: Int?
  var unit: String?
  var spacing: Double?

  init(images: Int? = nil, channels: Int? = nil, slices: Int? = nil, frames: Int? = nil,
       unit: String? = nil, spacing: Double? = nil) {
    self.images = images
    self.channels = channels
    self.slices = slices
    self.frames = frames
    self.unit = unit
    self.spacing = spacing
  }

  /// Parses an ImageDescription; nil unless it is one of ImageJ's (first line `ImageJ=...`).
  init?(parsing text: String) {
    guard text.hasPrefix("ImageJ=") else { return nil }
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
      guard let equals = line.firstIndex(of: "=") else { continue }
      let key = line[..<equals].trimmingSpaces()
      let value = line[line.index(after: equals)...].trimmingSpaces()
      switch key {
      case "images": images = Self.positiveInt(value)
      case "channels": channels = Self.positiveInt(value)
      case "slices": slices = Self.positiveInt(value)
      case "frames": frames = Self.positiveInt(value)
      case "unit": unit = Self.unescaped(value)
      case "spacing": spacing = Double(value).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
      default: continue
      }
    }
  }

  /// The description text for a stack of `images` images with `channels` channels each,
  /// laid out as ImageJ does: channels vary fastest, then slices.
  ///
  /// The first line is "ImageJ=" with no version on purpose: ImageJ (1.53t, `TiffDecoder`)
  /// takes an uncompressed file whose description has a version and `images=` for its own
  /// contiguous layout and reads only the first directory, then the pixel data of all images
  /// back to back; libtiff puts a directory after each page, so ImageJ would read directories as
  /// pixels. Without a version ImageJ follows every directory and still applies `channels=`,
  /// `slices=` and the calibration.
  static func text(images: Int, channels: Int, calibration: TIFFCalibration?) -> String {
    var lines = ["ImageJ="]
    if images * channels > 1 { lines.append("images=\(images * channels)") }
    if channels > 1 { lines.append("channels=\(channels)") }
    if images > 1 { lines.append("slices=\(images)") }
    if channels > 1 {
      lines.append("hyperstack=true")
      lines.append("mode=grayscale")
    }
    if let calibration {
      lines.append("unit=\(escaped(calibration.unit))")
      if let spacing = calibration.spacing { lines.append("spacing=\(spacing)") }
    }
    lines.append("loop=false")
    return lines.joined(separator: "\n") + "\n"
  }

  private static func positiveInt(_ text: Substring) -> Int? {
    guard let value = Int(text), value > 0 else { return nil }
    return value
  }

  /// Undoes ImageJ's `\uXXXX` escapes.
  static func unescaped(_ text: Substring) -> String {
    var result = ""
    var rest = text[...]
    while let slash = rest.firstIndex(of: "\\") {
      result += rest[..<slash]
      let afterSlash = rest.index(after: slash)
      let hexEnd = rest.index(afterSlash, offsetBy: 5, limitedBy: rest.endIndex)
      if let hexEnd, rest[afterSlash] == "u",
         let code = UInt32(rest[rest.index(after: afterSlash)..<hexEnd], radix: 16),
         let scalar = Unicode.Scalar(code) {
        result.unicodeScalars.append(scalar)
        rest = rest[hexEnd...]
      } else {
        result += "\\"
        rest = rest[afterSlash...]
      }
    }
    return result + rest
  }

  /// ImageJ's escaping: non-ASCII, backslash and line breaks as `\uXXXX` (characters outside
  /// the Basic Multilingual Plane, which ImageJ would write as surrogate pairs, become "?").
  static func escaped(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      if scalar.isASCII, scalar != "\\", scalar != "\n", scalar != "\r" {
        result.unicodeScalars.append(scalar)
      } else if scalar.value <= 0xFFFF {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        result += "?"
      }
    }
    return result
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> Substring {
    var text = self
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
    return text
  }
}
