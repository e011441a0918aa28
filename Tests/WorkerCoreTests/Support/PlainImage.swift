import TIFFSupport
import Testing

/// A one-channel image as plain row-major floats, with the few operations the tests need
/// written out naively (they are the reference the worker's outputs are checked against).
struct PlainImage: Sendable, Equatable {
  var width: Int
  var height: Int
  var pixels: [Float]

  /// Page `page` of a TIFF file, channel 0, as floats (any sample type).
  static func read(_ path: String, page: Int = 0) throws -> PlainImage {
    let stack = try TIFFReader.read(path: path)
    let image = try #require(page < stack.images.count ? stack.images[page] : nil, "\(path) has no page \(page)")
    return PlainImage(width: image.width, height: image.height, pixels: Array(image.floatPlanes()[0..<(image.width * image.height)]))
  }

  func at(_ x: Int, _ y: Int) -> Float { pixels[y * width + x] }

  /// Rotated by 90° counter-clockwise (numpy's `rot90`): the top row becomes the left column,
  /// read bottom to top.
  func rotated90() -> PlainImage {
    var out = [Float](repeating: 0, count: pixels.count)
    for y in 0..<width {
      for x in 0..<height {
        out[y * height + x] = at(width - 1 - y, x)
      }
    }
    return PlainImage(width: height, height: width, pixels: out)
  }

  /// The rectangle from (`x`, `y`) of size `w`×`h`.
  func cropped(x: Int, y: Int, width w: Int, height h: Int) -> PlainImage {
    var out: [Float] = []
    out.reserveCapacity(w * h)
    for row in y..<(y + h) { out.append(contentsOf: pixels[(row * width + x)..<(row * width + x + w)]) }
    return PlainImage(width: w, height: h, pixels: out)
  }

  /// Foreground (nonzero) pixels.
  var foreground: [Bool] { pixels.map { $0 != 0 } }

  /// Writes the image as float32 (or as uint16 labels).
  func write(to path: String, asLabels: Bool = false, calibration: TIFFCalibration? = nil) throws {
    let samples: TIFFSamples = asLabels ? .uint16(pixels.map { UInt16($0) }) : .float32(pixels)
    try TIFFWriter.write([TIFFImage(width: width, height: height, samples: samples)], to: path, calibration: calibration)
  }

  /// Largest absolute difference to another image of the same size.
  func maxAbsDifference(_ other: PlainImage) -> Float {
    precondition(width == other.width && height == other.height, "sizes differ")
    return zip(pixels, other.pixels).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }
}

/// Intersection over union of two foreground masks of equal length (1 when both are empty).
func foregroundIoU(_ a: [Bool], _ b: [Bool]) -> Double {
  precondition(a.count == b.count, "masks differ in size")
  var intersection = 0
  var union = 0
  for (p, q) in zip(a, b) {
    if p && q { intersection += 1 }
    if p || q { union += 1 }
  }
  return union == 0 ? 1 : Double(intersection) / Double(union)
}
