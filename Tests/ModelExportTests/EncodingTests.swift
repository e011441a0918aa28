import ImageOps
import NeuralCore
import Testing

@testable import ModelExport

/// The byte formats of a model package against hand-computed bytes and published vectors.
@Suite struct EncodingTests {
  @Test func varintsAreSevenBitGroupsLeastSignificantFirst() {
    #expect(ProtobufWriter.varint(0) == [0x00])
    #expect(ProtobufWriter.varint(1) == [0x01])
    #expect(ProtobufWriter.varint(127) == [0x7F])
    #expect(ProtobufWriter.varint(128) == [0x80, 0x01])
    #expect(ProtobufWriter.varint(300) == [0xAC, 0x02])
    #expect(ProtobufWriter.varint(UInt64.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
  }

  @Test func fieldsCarryTheirKeyAndLength() {
    var writer = ProtobufWriter()
    writer.int(1, 150)  // the protobuf documentation's example: 08 96 01
    writer.string(2, "testing")  // 12 07 74 65 73 74 69 6e 67
    writer.int(3, -2)  // ten-byte two's complement
    #expect(
      writer.bytes == [0x08, 0x96, 0x01, 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67]
        + [0x18, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
  }

  @Test func nestedMessagesAreLengthDelimited() {
    var inner = ProtobufWriter()
    inner.int(1, 150)
    var outer = ProtobufWriter()
    outer.message(3, inner)  // 1a 03 08 96 01
    #expect(outer.bytes == [0x1A, 0x03, 0x08, 0x96, 0x01])
  }

  @Test func onnxAttributeAndNodeBytes() {
    let attribute = ONNX.Attribute("axis", .int(1))
    // name "axis" (0a 04 ...), i = 1 (18 01), type INT (a0 01 02)
    #expect(attribute.encoded().bytes == [0x0A, 0x04, 0x61, 0x78, 0x69, 0x73, 0x18, 0x01, 0xA0, 0x01, 0x02])
    let ints = ONNX.Attribute("k", .ints([2, 2]))
    #expect(ints.encoded().bytes == [0x0A, 0x01, 0x6B, 0x40, 0x02, 0x40, 0x02, 0xA0, 0x01, 0x07])
    let node = ONNX.Node("Relu", name: "r", inputs: ["a"], outputs: ["b"])
    #expect(
      node.encoded().bytes == [0x0A, 0x01, 0x61, 0x12, 0x01, 0x62, 0x1A, 0x01, 0x72, 0x22, 0x04, 0x52, 0x65, 0x6C, 0x75])
  }

  @Test func initializersHoldLittleEndianRawData() {
    let floats = ONNX.Initializer(name: "w", dimensions: [2], floats: [1.0, -2.0][...])
    // dims 2 (08 02), FLOAT (10 01), name (42 01 77), raw_data (4a 08 + 0000803f 000000c0)
    #expect(
      floats.encoded().bytes
        == [0x08, 0x02, 0x10, 0x01, 0x42, 0x01, 0x77, 0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    let int64s = ONNX.Initializer(name: "e", int64s: [-1])
    #expect(int64s.encoded().bytes.suffix(8) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(int64s.dataType == .int64)
  }

  @Test func sha256KnownVectors() {
    #expect(SHA256.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      SHA256.hexDigest([UInt8](repeating: 0x61, count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    // 55, 56 and 64 bytes: the padding's edge cases, against the same digest computed in parts.
    #expect(SHA256.hexDigest([UInt8](repeating: 0x61, count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
  }

  @Test func npyHeaderIsNumpyVersionOneAlignedTo64() {
    let file = NumpyArray.float32(shape: [1, 2], values: [1, 2])
    #expect(Array(file.prefix(8)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 0x01, 0x00])
    let headerLength = Int(file[8]) | Int(file[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    let header = String(decoding: file[10..<(10 + headerLength)], as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"))
    #expect(header.hasSuffix("\n"))
    #expect(Array(file.suffix(8)) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40])
    let vector = NumpyArray.float32(shape: [3], values: [0, 0, 0])
    #expect(String(decoding: vector[10..<70], as: UTF8.self).contains("'shape': (3,)"))
  }

  @Test func adlerAndCRCKnownValues() {
    // Adler-32 of "Wikipedia" (the article's example) and CRC-32 of the IEND chunk type.
    #expect(PNGImage.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
  }

  @Test func pngOfTwoPixels() {
    let png = PNGImage.grayscale(width: 2, height: 1, pixels: [0, 255])
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    // IHDR: length 13, width 2, height 1, depth 8, gray.
    #expect(Array(png[8..<33].prefix(25)) == [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 2, 0, 0, 0, 1, 8, 0, 0, 0, 0] + Array(png[29..<33]))
    // The IDAT's zlib stream: header, one final stored block of 3 bytes (filter 0, 0, 255), Adler-32.
    let stream = PNGImage.zlibStored([0, 0, 255])
    // Adler-32: a = 1 + 255 = 0x100, b = 1 + 1 + 0x100 = 0x102.
    #expect(stream == [0x78, 0x01, 0x01, 0x03, 0x00, 0xFC, 0xFF, 0x00, 0x00, 0xFF] + [0x01, 0x02, 0x01, 0x00])
    #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
  }

  @Test func yamlStringsAreQuotedAndEscaped() {
    #expect(BioimageioDescription.quoted("a \"b\" \\ c\nd") == "\"a \\\"b\\\" \\\\ c\\nd\"")
    #expect(BioimageioDescription.number(Float(1)) == "1.0")
    #expect(BioimageioDescription.number(Float(99.8)) == "99.8")
    #expect(BioimageioDescription.number(Float(1e-6)) == "1.0e-06")
    #expect(BioimageioDescription.number(0.65) == "0.65")
  }
}
