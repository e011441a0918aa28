import ImageOps
import Segmentation
import Testing

/// The `.roi` bytes of a known polygon, field by field, as ImageJ's RoiDecoder reads them.
@Suite struct ImageJRoiTests {
  private func u16(_ bytes: [UInt8], _ offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }
  private func u32(_ bytes: [UInt8], _ offset: Int) -> Int { u16(bytes, offset) << 16 | u16(bytes, offset + 2) }

  @Test func knownPolygon() throws {
    // An L: pixels (3..4, 5) and (3, 6).
    let outline = [
      GridPoint(x: 3, y: 5), GridPoint(x: 5, y: 5), GridPoint(x: 5, y: 6), GridPoint(x: 4, y: 6),
      GridPoint(x: 4, y: 7), GridPoint(x: 3, y: 7),
    ]
    let bytes = try #require(ImageJRoi(name: "label-000007", outline: outline, position: 2).encoded)
    let expectedHeader: [UInt8] =
      Array("Iout".utf8) + [0, 228, 0, 0] + [0, 5, 0, 3, 0, 7, 0, 5] + [0, 6]
      + [UInt8](repeating: 0, count: 16 + 2 + 4 + 4 + 4 + 2 + 2 + 4) + [0, 0, 0, 2] + [0, 0, 0, 88]
    #expect(Array(bytes[0..<64]) == expectedHeader)
    // x then y relative to left 3 and top 5.
    #expect((0..<6).map { u16(bytes, 64 + 2 * $0) } == [0, 2, 2, 1, 1, 0])
    #expect((0..<6).map { u16(bytes, 76 + 2 * $0) } == [0, 0, 1, 1, 2, 2])
    // header2 at 88: c, z, t positions 0, the name at 152 in UTF-16, 12 characters.
    #expect(u32(bytes, 88 + 4) == 0 && u32(bytes, 88 + 8) == 0 && u32(bytes, 88 + 12) == 0)
    #expect(u32(bytes, 88 + 16) == 152 && u32(bytes, 88 + 20) == 12)
    #expect(bytes.count == 152 + 24)
    let name = (0..<12).map { Character(Unicode.Scalar(UInt8(u16(bytes, 152 + 2 * $0)))) }
    #expect(String(name) == "label-000007")
  }

  @Test func farCoordinatesAlsoGoAsFloats() throws {
    let outline = [GridPoint(x: 70000, y: 1), GridPoint(x: 70001, y: 1), GridPoint(x: 70001, y: 2), GridPoint(x: 70000, y: 2)]
    let bytes = try #require(ImageJRoi(name: "a", outline: outline, position: 1).encoded)
    #expect(u16(bytes, 50) == 128, "SUB_PIXEL_RESOLUTION")
    #expect(u32(bytes, 60) == 64 + 4 * 4 + 8 * 4, "header2 after the int16 and float32 coordinates")
    #expect(Float(bitPattern: UInt32(u32(bytes, 64 + 16))) == 70000)
    #expect(Float(bitPattern: UInt32(u32(bytes, 64 + 16 + 16))) == 1)
  }

  @Test func tooManyOrNoCornersAreRefused() {
    #expect(ImageJRoi(name: "a", outline: [], position: 1).encoded == nil)
    let many = (0..<(ImageJRoi.maximumCorners + 1)).map { GridPoint(x: $0, y: $0 % 2) }
    #expect(ImageJRoi(name: "a", outline: many, position: 1).encoded == nil)
  }
}
