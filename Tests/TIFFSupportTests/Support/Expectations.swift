import TIFFSupport

/// Nil when the images are equal, else a short description of the first difference (full
/// sample arrays in a failure message are unreadable).
func difference(_ actual: [TIFFImage], _ expected: [TIFFImage]) -> String? {
  guard actual.count == expected.count else { return "\(actual.count) images, expected \(expected.count)" }
  for (index, (a, e)) in zip(actual, expected).enumerated() {
    guard a.width == e.width, a.height == e.height, a.channels == e.channels else {
      return "image \(index) is \(a.width)×\(a.height)×\(a.channels), expected \(e.width)×\(e.height)×\(e.channels)"
    }
    guard a.sampleType == e.sampleType else {
      return "image \(index) is \(a.sampleType), expected \(e.sampleType)"
    }
    if let mismatch = firstMismatch(a.samples, e.samples) {
      let plane = a.width * a.height
      return "image \(index), channel \(mismatch.index / plane), y \(mismatch.index % plane / a.width), x \(mismatch.index % a.width): \(mismatch.actual), expected \(mismatch.expected)"
    }
  }
  return nil
}

private func firstMismatch(_ a: TIFFSamples, _ b: TIFFSamples) -> (index: Int, actual: String, expected: String)? {
  switch (a, b) {
  case (.uint8(let x), .uint8(let y)): mismatch(x, y)
  case (.uint16(let x), .uint16(let y)): mismatch(x, y)
  case (.uint32(let x), .uint32(let y)): mismatch(x, y)
  case (.int8(let x), .int8(let y)): mismatch(x, y)
  case (.int16(let x), .int16(let y)): mismatch(x, y)
  case (.int32(let x), .int32(let y)): mismatch(x, y)
  case (.float32(let x), .float32(let y)): mismatch(x, y)
  default: (0, "\(a.sampleType)", "\(b.sampleType)")
  }
}

private func mismatch<T: Equatable>(_ a: [T], _ b: [T]) -> (index: Int, actual: String, expected: String)? {
  guard a.count == b.count else { return (0, "\(a.count) samples", "\(b.count) samples") }
  guard let index = a.indices.first(where: { a[$0] != b[$0] }) else { return nil }
  return (index, "\(a[index])", "\(b[index])")
}

/// Calibrations equal up to the rounding of TIFF's rational resolution tags.
func sameCalibration(_ a: TIFFCalibration?, _ b: TIFFCalibration?, tolerance: Double = 1e-5) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  func close(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= tolerance * max(abs(x), abs(y)) }
  let spacing = (a.spacing == nil && b.spacing == nil)
    || (a.spacing.flatMap { x in b.spacing.map { close(x, $0) } } ?? false)
  return a.unit == b.unit && close(a.pixelWidth, b.pixelWidth) && close(a.pixelHeight, b.pixelHeight) && spacing
}

/// Every sample as `Double` (exact for all sample types, unlike `Float`).
func doubleValues(_ samples: TIFFSamples) -> [Double] {
  switch samples {
  case .uint8(let values): values.map(Double.init)
  case .uint16(let values): values.map(Double.init)
  case .uint32(let values): values.map(Double.init)
  case .int8(let values): values.map(Double.init)
  case .int16(let values): values.map(Double.init)
  case .int32(let values): values.map(Double.init)
  case .float32(let values): values.map(Double.init)
  }
}
