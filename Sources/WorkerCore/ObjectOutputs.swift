import ImageOps
import JSONRPC
import NeuralCore
import Segmentation
import TIFFSupport

/// The `rois` and `table` outputs of one input, gathered page by page in memory and written
/// (atomically) by `finish`: the outer outline of every object as an ImageJ polygon ROI in a
/// RoiSet zip, and the object table.
final class ObjectOutputs {
  private let roisPath: String?
  private let tablePath: String?
  private let pageCount: Int
  private var zip = StoredZip()
  private var table: ObjectTable

  init(roisPath: String?, tablePath: String?, pageCount: Int, calibration: TIFFCalibration?) {
    self.roisPath = roisPath
    self.tablePath = tablePath
    self.pageCount = pageCount
    table = ObjectTable(pixelArea: Self.pixelArea(calibration), withPage: pageCount > 1)
  }

  /// µm² per pixel when the calibration is in micrometres, else nil.
  static func pixelArea(_ calibration: TIFFCalibration?) -> Double? {
    guard let calibration, calibration.unit == "µm" else { return nil }
    return calibration.pixelWidth * calibration.pixelHeight
  }

  /// `label-000012` (single page) or `page-0003-label-000012`: unique in a file, sorted as
  /// the objects are.
  func roiName(label: Int32, page: Int) -> String {
    func padded(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(width - digits.count, 0)) + digits
    }
    let labelPart = "label-\(padded(Int(label), 6))"
    return pageCount > 1 ? "page-\(padded(page + 1, 4))-\(labelPart)" : labelPart
  }

  /// Adds the objects of page `page`: `labels`, each object's class (`objectClasses[l]`) and
  /// the foreground probability their mean is taken of.
  func append(labels: LabelImage, objectClasses: (Int32) -> Int, probability: Tensor, page: Int) throws {
    if tablePath != nil {
      for object in labels.measurements(probability: probability) {
        table.append(object, objectClass: objectClasses(object.label), page: page)
      }
    }
    guard let roisPath else { return }
    for (label, outline) in labels.objectOutlines.enumerated() where !outline.isEmpty {
      let roi = ImageJRoi(name: roiName(label: Int32(label), page: page), outline: outline, position: page + 1)
      guard let bytes = roi.encoded else {
        throw RPCError.fileUnwritable(
          path: roisPath, "the outline of \(roi.name) has \(outline.count) corners; ImageJ ROIs hold at most 65535")
      }
      guard zip.canAdd(size: bytes.count) else {
        throw RPCError.fileUnwritable(path: roisPath, "\(roisPath) would hold more than 65535 ROIs or 4 GiB")
      }
      zip.add(name: roi.name + ".roi", data: bytes)
    }
  }

  /// Writes the files; the result entries (`rois`, `table`).
  func finish() throws -> [(String, JSONValue)] {
    var entry: [(String, JSONValue)] = []
    if let roisPath {
      try AtomicFile.write(zip.bytes, to: roisPath)
      entry.append(("rois", .string(roisPath)))
    }
    if let tablePath {
      try AtomicFile.write(Array(table.text.utf8), to: tablePath)
      entry.append(("table", .string(tablePath)))
    }
    return entry
  }
}
