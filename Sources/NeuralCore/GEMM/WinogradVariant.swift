/// Which of Winograd's minimal filtering algorithms (Lavin and Gray 2016) a 3×3 convolution
/// runs: F(2×2, 3×3) (4×4 tiles, 16 products, 2.25× fewer multiply-adds than the direct
/// method, error of a few float ulps) or F(4×4, 3×3) (6×6 tiles, 36 products, 4× fewer, error
/// 10–20× larger: see `WinogradTransforms4x4`) with the interpolation points 0, ±1, ±2
/// (`f4x4`, Lavin and Gray's), 0, ±1, ±1/2 (`f4x4HalfPoints`) or 0, ±1, 2, −1/2
/// (`f4x4MixedPoints`; `WinogradPoints4x4`).
public enum WinogradVariant: String, Sendable, CaseIterable {
  case f2x2 = "F(2x2,3x3)"
  case f4x4 = "F(4x4,3x3)"
  case f4x4HalfPoints = "F(4x4,3x3) points 0,+-1,+-1/2"
  case f4x4MixedPoints = "F(4x4,3x3) points 0,+-1,2,-1/2"

  /// Output pixels per tile edge.
  var tileSize: Int { self == .f2x2 ? 2 : 4 }
  /// Input pixels per tile edge (tile + 2).
  var patchSize: Int { tileSize + 2 }
  /// Element-wise products (matrix products over channels) per tile.
  var positions: Int { patchSize * patchSize }
}
