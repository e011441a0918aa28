import Foundation
import Testing
import TIFFSupport

/// ImageJ (the Debian package's ij.jar, run headless through Tests/tools/ImageJReadCheck.java)
/// opens every type we write, compressed, as a stack or hyperstack with the right values and
/// calibration. Needs java and ij.jar: skipped without them, unless UNET_REQUIRE_IMAGEJ=1
/// (set by `make test`), which turns their absence into a failure.
@Suite("ImageJ reads our files",
       .enabled(if: ImageJ.isAvailable || ImageJ.isRequired,
                "ImageJ not found (needs java and /usr/share/java/ij.jar or IMAGEJ_JAR; apt-get install imagej); set UNET_REQUIRE_IMAGEJ=1 to fail instead"))
struct ImageJCompatibilityTests {
  /// One written file and what ImageJ must report for it.
  struct Case {
    var name: String
    var images: [TIFFImage]
    var compression: TIFFCompression
    var calibration: TIFFCalibration?
  }

  @Test func imageJReadsEveryTypeWeWrite() throws {
    guard let java = ImageJ.java, let jar = ImageJ.jar else {
      Issue.record("UNET_REQUIRE_IMAGEJ=1 but ImageJ is missing: java=\(ImageJ.java ?? "none"), ij.jar=\(ImageJ.jar ?? "none")")
      return
    }
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let cases = Self.cases()
    for item in cases {
      try TIFFWriter.write(item.images, to: folder.path(item.name), compression: item.compression,
                           calibration: item.calibration)
    }
    let reports = try ImageJ.check(cases.map { folder.path($0.name) }, java: java, jar: jar)
    for item in cases {
      guard let report = reports[folder.path(item.name)] else {
        Issue.record("\(item.name): no report from ImageJ")
        continue
      }
      verify(report, item)
    }
  }

  private func verify(_ report: [String: Any], _ item: Case) {
    let first = item.images[0]
    let name = item.name
    if let error = report["error"] {
      Issue.record("\(name): ImageJ failed: \(error)")
      return
    }
    #expect(report["width"] as? Int == first.width, "\(name)")
    #expect(report["height"] as? Int == first.height, "\(name)")
    #expect(report["bitDepth"] as? Int == ImageJ.bitDepth(first.sampleType), "\(name)")
    #expect(report["stackSize"] as? Int == item.images.count * first.channels, "\(name)")
    #expect(report["channels"] as? Int == first.channels, "\(name)")
    #expect(report["slices"] as? Int == item.images.count, "\(name)")
    let expected = item.images.flatMap { ImageJ.valuesAsSeen($0.samples) }
    if let bits = report["values"] as? [NSNumber] {
      let values = bits.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0.int64Value)) }
      let mismatch = zip(values, expected).enumerated().first { $0.element.0 != $0.element.1 }
      #expect(values.count == expected.count && mismatch == nil,
              "\(name): ImageJ sees \(mismatch.map { "\($0.element.0) at \($0.offset), expected \($0.element.1)" } ?? "\(values.count) values")")
    } else {
      let sum = expected.reduce(0.0) { $0 + Double($1) }
      #expect(report["checksum"] as? Double == sum, "\(name): checksum \(String(describing: report["checksum"])), expected \(sum)")
    }
    if let calibration = item.calibration {
      #expect(report["unit"] as? String == calibration.unit, "\(name)")
      #expect(abs((report["pixelWidth"] as? Double ?? 0) - calibration.pixelWidth) < 1e-6 * calibration.pixelWidth, "\(name)")
      #expect(abs((report["pixelHeight"] as? Double ?? 0) - calibration.pixelHeight) < 1e-6 * calibration.pixelHeight, "\(name)")
      #expect(report["pixelDepth"] as? Double == calibration.spacing ?? 1, "\(name)")
    }
  }

  /// Every type × compression as a calibrated 3-slice stack (small: ImageJ lists every value);
  /// 2-channel hyperstacks; and images of several strips per page (checked by checksum).
  static func cases() -> [Case] {
    let calibration = TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.25, unit: "µm", spacing: 2)
    var cases: [Case] = []
    for type in TIFFSampleType.allCases {
      guard let kind = FixtureValues.Kind(rawValue: type.rawValue) else { continue }
      for compression in TIFFCompression.allCases {
        cases.append(Case(name: "stack_\(type)_\(compression).tif",
                          images: (0..<3).map { FixtureValues.image(kind, page: $0) },
                          compression: compression, calibration: calibration))
      }
      cases.append(Case(name: "hyper_\(type).tif",
                        images: (0..<2).map { FixtureValues.image(kind, pages: 2 * $0..<2 * $0 + 2) },
                        compression: .deflate, calibration: nil))
    }
    var values = SeededValues(seed: 19)
    for type in [TIFFSampleType.uint8, .uint16, .uint32, .float32] {
      for compression in [TIFFCompression.lzw, .deflate] {
        let images = (0..<2).map { _ in
          TIFFImage(width: 1100, height: 130, samples: values.smoothSamples(type, width: 1100, height: 130, channels: 1))
        }
        cases.append(Case(name: "strips_\(type)_\(compression).tif", images: images, compression: compression,
                          calibration: nil))
      }
    }
    return cases
  }
}

/// Finding and running ImageJ.
enum ImageJ {
  static let environment = ProcessInfo.processInfo.environment
  static let isRequired = environment["UNET_REQUIRE_IMAGEJ"] == "1"
  static let jar: String? = {
    let path = environment["IMAGEJ_JAR"] ?? "/usr/share/java/ij.jar"
    return FileManager.default.isReadableFile(atPath: path) ? path : nil
  }()
  static let java: String? = (environment["PATH"] ?? "/usr/bin:/bin")
    .split(separator: ":").map { "\($0)/java" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }
  static var isAvailable: Bool { jar != nil && java != nil }

  static let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("tools/ImageJReadCheck.java").path

  /// ImageJ's bit depth for our sample types (it has 8-bit, 16-bit and 32-bit float images).
  static func bitDepth(_ type: TIFFSampleType) -> Int {
    switch type {
    case .uint8, .int8: 8
    case .uint16, .int16: 16
    case .uint32, .int32, .float32: 32
    }
  }

  /// The values ImageJ 1.53t shows for our samples (the same for tifffile's files): 32-bit
  /// integers become floats, signed 16-bit is shown signed (through its calibration); but it
  /// ignores SampleFormat for 8-bit (int8 shows as unsigned) and reads unsigned 32-bit as signed
  /// (values from 2^31 show negative).
  static func valuesAsSeen(_ samples: TIFFSamples) -> [Float] {
    switch samples {
    case .int8(let values): values.map { Float(UInt8(bitPattern: $0)) }
    case .uint32(let values): values.map { Float(Int32(bitPattern: $0)) }
    default: samples.floats()
    }
  }

  /// Runs ImageJReadCheck on `files`; reports by file path.
  static func check(_ files: [String], java: String, jar: String) throws -> [String: [String: Any]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: java)
    process.arguments = ["-Djava.awt.headless=true", "-cp", jar, tool, "--bits"] + files
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var reports: [String: [String: Any]] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("IJCHECK ") {
      let json = Data(line.dropFirst("IJCHECK ".count).utf8)
      if let report = try JSONSerialization.jsonObject(with: json) as? [String: Any],
         let file = report["file"] as? String {
        reports[file] = report
      }
    }
    return reports
  }
}
