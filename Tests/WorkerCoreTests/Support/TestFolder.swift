import Foundation
import JSONRPC
import TIFFSupport

/// A fresh temporary folder for one test, removed when the test drops it.
final class TestFolder: Sendable {
  let path: String

  init(_ name: String = "test") {
    let unique = "unet-worker-tests-\(name)-\(UUID().uuidString.prefix(8))"
    path = (NSTemporaryDirectory() as NSString).appendingPathComponent(unique)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// `<folder>/<name>`.
  func file(_ name: String) -> String {
    (path as NSString).appendingPathComponent(name)
  }

  /// `file(name)` as a JSON string, for request params.
  func json(_ name: String) -> JSONValue {
    .string(file(name))
  }

  /// The names in the folder (hidden ones included: temporary files are hidden), sorted.
  var names: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }

  /// Names that look like a temporary file of an atomic write (hidden, or with `tmp` in them).
  var temporaryNames: [String] {
    names.filter { $0.hasPrefix(".") || $0.contains("tmp") }
  }

  /// Writes text (e.g. a file that is not a TIFF).
  func writeText(_ text: String, to name: String) throws {
    try text.write(toFile: file(name), atomically: false, encoding: .utf8)
  }

  /// Writes a one-page float32 image.
  func writeFloatImage(
    _ pixels: [Float], width: Int, height: Int, channels: Int = 1, to name: String,
    calibration: TIFFCalibration? = nil
  ) throws {
    try TIFFWriter.write(
      [TIFFImage(width: width, height: height, channels: channels, samples: .float32(pixels))],
      to: file(name), calibration: calibration)
  }

  /// Writes a one-page uint16 label image.
  func writeLabels(_ labels: [UInt16], width: Int, height: Int, to name: String) throws {
    try TIFFWriter.write([TIFFImage(width: width, height: height, samples: .uint16(labels))], to: file(name))
  }

  /// The bytes of a file, for checking that it was not touched.
  func contents(_ name: String) -> Data? {
    FileManager.default.contents(atPath: file(name))
  }
}
