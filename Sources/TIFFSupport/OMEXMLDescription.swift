/// What an OME-TIFF states in the OME-XML of its first page's ImageDescription, from the first
/// `Pixels` element: the physical pixel size (`PhysicalSizeX`/`PhysicalSizeY` with
/// `PhysicalSizeXUnit`/`PhysicalSizeYUnit`, the OME schema's default unit being µm) and how the
/// pages hold the C, Z and T planes (`SizeC`, `SizeZ`, `SizeT`, `DimensionOrder`).
///
/// Only these attributes are read; the rest of the document is not interpreted, so a scan for
/// the element is enough (a namespace prefix such as `ome:Pixels` is accepted).
public struct OMEXMLDescription: Equatable, Sendable {
  public var physicalSizeX: Double?
  public var physicalSizeY: Double?
  public var unitX: String
  public var unitY: String
  /// Channels, Z planes and time points (1 when not stated).
  public var sizeC: Int
  public var sizeZ: Int
  public var sizeT: Int
  /// The page order of the planes, fastest first after X and Y: "XYCZT", "XYZCT", ... (nil
  /// when missing or not one of the six the schema allows).
  public var dimensionOrder: String?

  /// Parses an ImageDescription; nil unless it is OME-XML with a `Pixels` element.
  public init?(parsing text: String) {
    guard text.contains("<OME") || text.contains(":OME"),
      let attributes = Self.attributes(ofFirst: "Pixels", in: text)
    else { return nil }
    func size(_ name: String) -> Double? {
      attributes[name].flatMap(Double.init).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
    }
    physicalSizeX = size("PhysicalSizeX")
    physicalSizeY = size("PhysicalSizeY")
    unitX = attributes["PhysicalSizeXUnit"] ?? TIFFCalibration.micrometre
    unitY = attributes["PhysicalSizeYUnit"] ?? TIFFCalibration.micrometre
    func count(_ name: String) -> Int { attributes[name].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 1 }
    (sizeC, sizeZ, sizeT) = (count("SizeC"), count("SizeZ"), count("SizeT"))
    dimensionOrder = attributes["DimensionOrder"].flatMap { Self.dimensionOrders.contains($0) ? $0 : nil }
  }

  static let dimensionOrders: Set<String> = ["XYCZT", "XYCTZ", "XYZCT", "XYZTC", "XYTCZ", "XYTZC"]

  /// The page holding channel `c` of Z plane `z` at time point `t` (one plane per page), nil
  /// without a dimension order.
  public func pageIndex(c: Int, z: Int, t: Int) -> Int? {
    guard let order = dimensionOrder else { return nil }
    var index = 0
    var stride = 1
    for axis in order.dropFirst(2) {
      let (position, size) = axis == "C" ? (c, sizeC) : axis == "Z" ? (z, sizeZ) : (t, sizeT)
      index += position * stride
      stride *= size
    }
    return index
  }

  /// The calibration in micrometres (both axes in one unit), nil without a usable size or
  /// with a unit that is not a length.
  public var calibration: TIFFCalibration? {
    let x = physicalSizeX.flatMap { value in TIFFCalibration.micrometres(perUnit: unitX).map { value * $0 } }
    let y = physicalSizeY.flatMap { value in TIFFCalibration.micrometres(perUnit: unitY).map { value * $0 } }
    guard let width = x ?? y, let height = y ?? x else { return nil }
    return TIFFCalibration(pixelWidth: width, pixelHeight: height, unit: TIFFCalibration.micrometre)
  }

  /// The attributes of the first element named `name` (with or without a namespace prefix),
  /// values with the five predefined entities and numeric character references decoded.
  static func attributes(ofFirst name: String, in text: String) -> [String: String]? {
    let scalars = Array(text.unicodeScalars)
    let target = Array(name.unicodeScalars)
    var i = 0
    while i < scalars.count {
      guard scalars[i] == "<" else { i += 1; continue }
      // The element name, possibly prefixed (`ome:Pixels`).
      var j = i + 1
      while j < scalars.count, !Self.isSpace(scalars[j]), scalars[j] != ">", scalars[j] != "/" { j += 1 }
      let qualified = scalars[(i + 1)..<j]
      let local = qualified.lastIndex(of: ":").map { qualified[($0 + 1)...] } ?? qualified
      guard Array(local) == target else { i = j; continue }
      var attributes: [String: String] = [:]
      while j < scalars.count {
        while j < scalars.count, Self.isSpace(scalars[j]) { j += 1 }
        guard j < scalars.count, scalars[j] != ">", scalars[j] != "/" else { return attributes }
        let nameStart = j
        while j < scalars.count, scalars[j] != "=", !Self.isSpace(scalars[j]), scalars[j] != ">" { j += 1 }
        let key = String(String.UnicodeScalarView(scalars[nameStart..<j]))
        while j < scalars.count, Self.isSpace(scalars[j]) { j += 1 }
        guard j < scalars.count, scalars[j] == "=" else { return attributes }
        j += 1
        while j < scalars.count, Self.isSpace(scalars[j]) { j += 1 }
        guard j < scalars.count, scalars[j] == "\"" || scalars[j] == "'" else { return attributes }
        let quote = scalars[j]
        let valueStart = j + 1
        j = valueStart
        while j < scalars.count, scalars[j] != quote { j += 1 }
        guard j < scalars.count else { return attributes }
        attributes[key] = decodedEntities(String(String.UnicodeScalarView(scalars[valueStart..<j])))
        j += 1
      }
      return attributes
    }
    return nil
  }

  private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
  }

  /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`, `&#NNN;` and `&#xHH;` decoded; anything else kept.
  public static func decodedEntities(_ text: String) -> String {
    guard text.contains("&") else { return text }
    var result = ""
    var rest = Substring(text)
    while let amp = rest.firstIndex(of: "&") {
      result += rest[..<amp]
      guard let semicolon = rest[amp...].firstIndex(of: ";") else { return result + rest[amp...] }
      let entity = rest[rest.index(after: amp)..<semicolon]
      let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
      if let value = named[String(entity)] {
        result += value
      } else if entity.hasPrefix("#"), let code = entity.hasPrefix("#x") || entity.hasPrefix("#X")
        ? UInt32(entity.dropFirst(2), radix: 16) : UInt32(entity.dropFirst()),
        let scalar = Unicode.Scalar(code)
      {
        result.unicodeScalars.append(scalar)
      } else {
        result += rest[amp...semicolon]
      }
      rest = rest[rest.index(after: semicolon)...]
    }
    return result + rest
  }
}
