import NeuralCore
import Segmentation
import Testing

/// The zip's records, read back as a reader walks them: end record, central directory, local headers.
@Suite struct StoredZipTests {
  private func le(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> Int {
    (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
  }

  @Test func entriesReadBack() {
    var zip = StoredZip()
    let entries: [(String, [UInt8])] = [("a.roi", [1, 2, 3]), ("label-000002.roi", Array("hello".utf8)), ("e", [])]
    for (name, data) in entries { zip.add(name: name, data: data) }
    let bytes = zip.bytes
    let end = bytes.count - 22
    #expect(le(bytes, end, 4) == 0x0605_4B50 && le(bytes, end + 10, 2) == 3)
    var central = le(bytes, end + 16, 4)
    #expect(central + le(bytes, end + 12, 4) == end)
    for (name, data) in entries {
      #expect(le(bytes, central, 4) == 0x0201_4B50)
      #expect(le(bytes, central + 10, 2) == 0, "stored")
      #expect(le(bytes, central + 16, 4) == Int(CRC32.checksum(data)))
      let nameLength = le(bytes, central + 28, 2)
      #expect(Array(bytes[(central + 46)..<(central + 46 + nameLength)]) == Array(name.utf8))
      let local = le(bytes, central + 42, 4)
      #expect(le(bytes, local, 4) == 0x0403_4B50 && le(bytes, local + 14, 4) == Int(CRC32.checksum(data)))
      let start = local + 30 + le(bytes, local + 26, 2)
      #expect(Array(bytes[start..<(start + le(bytes, local + 22, 4))]) == data)
      central += 46 + nameLength
    }
  }
}
