import Testing
import TIFFSupport

/// `TIFFImage.integerLabels()` and `floatPlanes()`, against plain conversions.
@Suite("Labels and float planes")
struct LabelTests {
  @Test(arguments: [
    TIFFSamples.uint8([0, 1, 255, 7]), .uint16([0, 65535, 3, 2]), .uint32([0, 2_147_483_647, 5, 1]),
    .int8([-128, 0, 127, 3]), .int16([-32768, 32767, 0, 9]), .int32([Int32.min, Int32.max, 0, -1]),
    .float32([0, 16_777_216, -3, 2_147_483_520]),
  ])
  func integerLabels(samples: TIFFSamples) throws {
    let image = TIFFImage(width: 2, height: 2, samples: samples)
    let expected = doubleValues(samples).map { Int32($0) }
    #expect(try image.integerLabels() == expected)
  }

  @Test(arguments: [
    (TIFFSamples.float32([0, 1, 2.5, 3]), "not a whole number"),
    (.float32([0, .nan, 1, 1]), "not a whole number"),
    (.float32([.infinity, 0, 1, 1]), "not a whole number"),
    (.float32([0, 1, 1, 2_147_483_648]), "outside the Int32 range"),
    (.float32([0, -2_147_483_904, 1, 1]), "outside the Int32 range"),
    (.uint32([0, 1, 2_147_483_648, 1]), "outside the Int32 range"),
  ])
  func rejectedLabels(samples: TIFFSamples, reason: String) {
    let image = TIFFImage(width: 2, height: 2, samples: samples)
    let error = #expect(throws: TIFFError.self) { try image.integerLabels() }
    #expect(error?.code == .invalidData)
    #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
  }

  @Test func errorNamesThePixel() {
    let image = TIFFImage(width: 3, height: 2, samples: .float32([0, 0, 0, 0, 0.5, 0]))
    let error = #expect(throws: TIFFError.self) { try image.integerLabels() }
    #expect(error?.message.contains("x=1, y=1") == true)
    #expect(error?.attributed(to: "/data/labels.tif").path == "/data/labels.tif")
  }

  @Test func multiChannelIsNotALabelImage() {
    let image = TIFFImage(width: 1, height: 2, channels: 2, samples: .uint8([1, 2, 3, 4]))
    let error = #expect(throws: TIFFError.self) { try image.integerLabels() }
    #expect(error?.code == .invalidData)
  }

  @Test func labelsFromFixtureFiles() throws {
    let labels = try TIFFReader.read(path: FixtureValues.path("gray_int16.tif")).images[0].integerLabels()
    let expected = (0..<18).flatMap { y in
      (0..<20).map { x in Int32((FixtureValues.base(page: 0, channel: 0, y: y, x: x) - 125) * 250) }
    }
    #expect(labels == expected)
  }

  @Test func floatPlanesKeepChannelOrder() {
    let image = TIFFImage(width: 2, height: 1, channels: 3, samples: .int16([1, 2, -3, -4, 500, 600]))
    #expect(image.floatPlanes() == [1, 2, -3, -4, 500, 600])
    let uint32 = TIFFImage(width: 1, height: 1, samples: .uint32([4_000_000_000]))
    #expect(uint32.floatPlanes() == [4_000_000_000])
  }
}
