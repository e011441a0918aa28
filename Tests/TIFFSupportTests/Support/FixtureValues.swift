import Foundation
import TIFFSupport

/// The pixel formula of Tests/tools/make_tiff_fixtures.py and MakeImageJFixtures.java, written
/// plainly, so tests know what every committed fixture must decode to.
enum FixtureValues {
  static let width = 20
  static let height = 18

  /// Folder of the committed fixtures (Tests/Fixtures/tiff), found from this source file.
  static let folder: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tiff")

  static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  static func base(page: Int, channel: Int, y: Int, x: Int) -> Int {
    (page * 97 + channel * 31 + y * 7 + x * 3) % 251
  }

  /// Stored type of a fixture, including the ones read as float32.
  enum Kind: String, CaseIterable, Sendable {
    case uint8, uint16, uint32, int8, int16, int32, float32, float64, float16
  }

  /// Planar samples for the given (page, channel) planes, in order, as TIFFReader returns them.
  static func samples(_ kind: Kind, planes: [(page: Int, channel: Int)]) -> TIFFSamples {
    var bases: [Int] = []
    for plane in planes {
      for y in 0..<height {
        for x in 0..<width { bases.append(base(page: plane.page, channel: plane.channel, y: y, x: x)) }
      }
    }
    switch kind {
    case .uint8: return .uint8(bases.map { UInt8($0) })
    case .uint16: return .uint16(bases.map { UInt16($0 * 257) })
    case .uint32: return .uint32(bases.map { UInt32($0 * 16_000_000 + 1) })
    case .int8: return .int8(bases.map { Int8($0 - 125) })
    case .int16: return .int16(bases.map { Int16(($0 - 125) * 250) })
    case .int32: return .int32(bases.map { Int32(($0 - 125) * 17_000_000) })
    case .float32: return .float32(bases.map { Float(Double($0 - 125) * Double(Float(0.37))) })
    case .float64: return .float32(bases.map { Float(Double($0 - 125) * 0.37) })
    case .float16: return .float32(bases.map { Float($0) / 4 - 30 })
    }
  }

  /// One image of `channels` channels taken from channels 0..<channels of `page`.
  static func image(_ kind: Kind, page: Int = 0, channels: Int = 1) -> TIFFImage {
    TIFFImage(width: width, height: height, channels: channels,
              samples: samples(kind, planes: (0..<channels).map { (page, $0) }))
  }

  /// One image whose channels are consecutive single-channel pages (ImageJ hyperstacks).
  static func image(_ kind: Kind, pages: Range<Int>) -> TIFFImage {
    TIFFImage(width: width, height: height, channels: pages.count,
              samples: samples(kind, planes: pages.map { ($0, 0) }))
  }
}

/// A fresh temporary folder, removed by `remove()`.
struct TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("tiffsupport-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func contents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
  }

  func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Deterministic values for round trips (SplitMix64).
struct SeededValues {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// `count` samples of `type` covering its whole range (floats: mixed magnitudes and signs).
  mutating func samples(_ type: TIFFSampleType, count: Int) -> TIFFSamples {
    switch type {
    case .uint8: return .uint8((0..<count).map { _ in UInt8(truncatingIfNeeded: next()) })
    case .uint16: return .uint16((0..<count).map { _ in UInt16(truncatingIfNeeded: next()) })
    case .uint32: return .uint32((0..<count).map { _ in UInt32(truncatingIfNeeded: next()) })
    case .int8: return .int8((0..<count).map { _ in Int8(truncatingIfNeeded: next()) })
    case .int16: return .int16((0..<count).map { _ in Int16(truncatingIfNeeded: next()) })
    case .int32: return .int32((0..<count).map { _ in Int32(truncatingIfNeeded: next()) })
    case .float32:
      return .float32((0..<count).map { _ in
        let unit = Float(next() >> 40) / Float(1 << 24)
        return (unit - 0.5) * Float(1 << (next() % 20))
      })
    }
  }

  /// Smooth, compressible samples (a ramp plus a little noise), as microscopy images are.
  mutating func smoothSamples(_ type: TIFFSampleType, width: Int, height: Int, channels: Int) -> TIFFSamples {
    var values: [Double] = []
    values.reserveCapacity(width * height * channels)
    for c in 0..<channels {
      for y in 0..<height {
        for x in 0..<width { values.append(Double((x + 2 * y + 5 * c) % 100) + Double(next() % 3)) }
      }
    }
    switch type {
    case .uint8: return .uint8(values.map { UInt8($0) })
    case .uint16: return .uint16(values.map { UInt16($0 * 600) })
    case .uint32: return .uint32(values.map { UInt32($0 * 40_000_000) })
    case .int8: return .int8(values.map { Int8($0 - 100) })
    case .int16: return .int16(values.map { Int16($0 * 300 - 15_000) })
    case .int32: return .int32(values.map { Int32($0 * 20_000_000 - 1_000_000_000) })
    case .float32: return .float32(values.map { Float($0) * 0.013 - 0.4 })
    }
  }
}

/// Writes `bytes` to `path`, replacing it.
func writeBytes<Bytes: Sequence<UInt8>>(_ bytes: Bytes, to path: String) throws {
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}
