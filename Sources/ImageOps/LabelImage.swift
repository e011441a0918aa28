/// An instance label image: 0 is background, every other value one object.
///
/// Row-major, `values[y * width + x]`. This is the protocol's label format (see
/// `Protocol/README.md`, "Files"); touching objects carry different values.
public struct LabelImage: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public var values: [Int32]

  public init(width: Int, height: Int, values: [Int32]) {
    precondition(
      values.count == width * height,
      "LabelImage: \(values.count) values for \(width)×\(height)")
    self.width = width
    self.height = height
    self.values = values
  }

  public init(width: Int, height: Int, repeating value: Int32 = 0) {
    self.init(width: width, height: height, values: [Int32](repeating: value, count: width * height))
  }

  @inlinable
  public subscript(y: Int, x: Int) -> Int32 {
    get { values[y * width + x] }
    set { values[y * width + x] = newValue }
  }

  /// The largest label present (0 for an empty image).
  public var maximumLabel: Int32 { values.max() ?? 0 }
}
