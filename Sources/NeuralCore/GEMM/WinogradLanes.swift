/// What the F(4×4, 3×3) transforms (`WinogradTransforms4x4`) combine: one Float, or a vector
/// of Floats with one tile (or one matrix column) per lane. One generic formula then serves the
/// eight-tile vector path and the single (possibly half) tile at a map's edge.
protocol WinogradLanes {
  static func + (lhs: Self, rhs: Self) -> Self
  static func - (lhs: Self, rhs: Self) -> Self
  static func * (lhs: Float, rhs: Self) -> Self
  /// self + lhs · rhs, fused (one rounding).
  func addingProduct(_ lhs: Float, _ rhs: Self) -> Self
}

extension Float: WinogradLanes {}
extension SIMD4: WinogradLanes where Scalar == Float {}
extension SIMD8: WinogradLanes where Scalar == Float {}
