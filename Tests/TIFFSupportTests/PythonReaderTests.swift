import Foundation
import Testing
import TIFFSupport

/// Python's tifffile (a common reader in the community) reads what we write: shape, type,
/// values and ImageJ metadata. Skipped when python3 with tifffile is not installed.
@Suite("Python tifffile reads our files", .enabled(if: PythonTifffile.isAvailable, "python3 with tifffile not installed"))
struct PythonReaderTests {
  /// (LZW needs the optional imagecodecs package in tifffile, so Deflate and no compression.)
  @Test(arguments: [TIFFSampleType.uint8, .uint16, .uint32, .float32, .int16], [TIFFCompression.deflate, .none])
  func tifffileReadsHyperstack(type: TIFFSampleType, compression: TIFFCompression) throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let images = [FixtureValues.Kind(rawValue: type.rawValue)].compactMap { $0 }.flatMap { kind in
      (0..<3).map { FixtureValues.image(kind, pages: 2 * $0..<2 * $0 + 2) }
    }
    let path = folder.path("hyper.tif")
    try TIFFWriter.write(images, to: path, compression: compression,
                         calibration: TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.5, unit: "µm", spacing: 2))
    let script = """
      import json, sys, tifffile
      with tifffile.TiffFile(sys.argv[1]) as tif:
          data = tif.asarray()
          print(json.dumps({"shape": list(data.shape), "dtype": str(data.dtype),
                            "values": data.ravel().tolist(), "imagej": tif.imagej_metadata}))
      """
    let output = try PythonTifffile.run(script, arguments: [path])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    #expect(json["shape"] as? [Int] == [3, 2, 18, 20])
    #expect(json["dtype"] as? String == type.rawValue)
    // Compared as Float for float32: Foundation's JSON parser on Linux may be off in the last
    // bits of a double, far below a float's precision.
    let expected = images.flatMap { doubleValues($0.samples) }
    let values = (json["values"] as? [NSNumber])?.map(\.doubleValue) ?? []
    #expect(type == .float32 ? values.map(Float.init) == expected.map(Float.init) : values == expected)
    let imageJ = json["imagej"] as? [String: Any]
    #expect(imageJ?["channels"] as? Int == 2 && imageJ?["slices"] as? Int == 3)
    #expect(imageJ?["unit"] as? String == "\\u00B5m" || imageJ?["unit"] as? String == "µm")
  }
}

enum PythonTifffile {
  static let isAvailable: Bool = (try? run("import tifffile", arguments: [])) != nil

  /// Runs `script` with python3 and returns its stdout; throws when it fails.
  static func run(_ script: String, arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "python3 exited with \(process.terminationStatus)"])
    }
    return String(decoding: data, as: UTF8.self)
  }
}
