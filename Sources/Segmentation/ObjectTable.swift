/// `<stem>_objects.csv`: one row per object, the protocol's columns in order, then `page`
/// (1-based) for inputs of more than one page. Areas in µm² need the pixel size in µm.
public struct ObjectTable: Sendable {
  public static let columns = [
    "label", "class", "area_px", "area_um2", "centroid_x", "centroid_y", "bbox_x", "bbox_y", "bbox_width",
    "bbox_height", "mean_probability",
  ]

  /// µm² per pixel, when known.
  public let pixelArea: Double?
  /// Adds the `page` column.
  public let withPage: Bool
  /// The CSV so far: the header line and one line per object, each ending in "\n".
  public private(set) var text: String

  public init(pixelArea: Double?, withPage: Bool) {
    self.pixelArea = pixelArea
    self.withPage = withPage
    text = (Self.columns + (withPage ? ["page"] : [])).joined(separator: ",") + "\n"
  }

  /// Appends the row of `object`, of class `objectClass`, on page `page` (0-based).
  public mutating func append(_ object: ObjectMeasurement, objectClass: Int, page: Int) {
    var fields = [
      "\(object.label)", "\(objectClass)", "\(object.area)",
      pixelArea.map { "\(Double(object.area) * $0)" } ?? "",
      "\(object.centroidX)", "\(object.centroidY)", "\(object.boundingX)", "\(object.boundingY)",
      "\(object.boundingWidth)", "\(object.boundingHeight)", "\(object.meanProbability)",
    ]
    if withPage { fields.append("\(page + 1)") }
    text += fields.joined(separator: ",") + "\n"
  }
}
