import NeuralCore

/// An 8-bit grayscale PNG (ISO/IEC 15948) without compression: the image data are one zlib
/// stream of stored deflate blocks (RFC 1950/1951), every scanline with filter 0. Enough for
/// the small cover image of a model package. Chunk checksums are `CRC32` (the model file's).
public enum PNGImage {
  /// The PNG file of `pixels` (row-major, `width` × `height`).
  public static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
    precondition(width > 0 && height > 0 && pixels.count == width * height, "PNGImage: \(pixels.count) pixels for \(width)×\(height)")
    var header: [UInt8] = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height))
    header += [8, 0, 0, 0, 0]  // bit depth 8, grayscale, deflate, filter method 0, no interlace
    var scanlines: [UInt8] = []
    scanlines.reserveCapacity((width + 1) * height)
    for y in 0..<height {
      scanlines.append(0)  // filter type None
      scanlines += pixels[(y * width)..<((y + 1) * width)]
    }
    var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    file += chunk("IHDR", header)
    file += chunk("IDAT", zlibStored(scanlines))
    file += chunk("IEND", [])
    return file
  }

  /// A zlib stream of `data` in stored (uncompressed) deflate blocks of at most 65535 bytes.
  public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var stream: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window; no dictionary, fastest
    var start = 0
    repeat {
      let end = min(start + 65535, data.count)
      let length = UInt16(end - start)
      stream.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE 00 (stored)
      stream += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
      stream += data[start..<end]
      start = end
    } while start < data.count
    return stream + bigEndian32(adler32(data))
  }

  /// Adler-32 (RFC 1950): two sums modulo 65521.
  public static func adler32(_ data: [UInt8]) -> UInt32 {
    var a: UInt32 = 1
    var b: UInt32 = 0
    var index = 0
    while index < data.count {
      // 5552 bytes keep both sums below 2^32 before the reduction (zlib's NMAX).
      let end = min(index + 5552, data.count)
      for i in index..<end {
        a += UInt32(data[i])
        b += a
      }
      a %= 65521
      b %= 65521
      index = end
    }
    return b << 16 | a
  }

  private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeAndData = Array(type.utf8) + data
    return bigEndian32(UInt32(data.count)) + typeAndData + bigEndian32(CRC32.checksum(typeAndData))
  }

  private static func bigEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
  }
}
