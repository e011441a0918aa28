import NeuralCore

/// One of the 8 rotations and flips of a square (the dihedral group D4), acting on the spatial
/// axes of a C×n×n tensor; used for test-time augmentation.
///
/// The element is "optionally transpose, then optionally flip rows, then optionally flip
/// columns": `transformed[c, y, x] = original[c, sy, sx]` with (a, b) = transposed ? (x, y) :
/// (y, x), sy = flipRows ? n−1−a : a, sx = flipColumns ? n−1−b : b. Every rotation by a multiple
/// of 90° and every reflection of the square is one of the 8 combinations.
///
/// The transforms act about the tile centre, so they commute with the overlap-tile geometry:
/// the output of an unpadded network on a transformed input tile is the transformed output
/// tile (for an equivariant network), and `inverse` maps a prediction back.
public struct DihedralTransform: Hashable, Sendable, CustomStringConvertible {
  public var transposed: Bool
  public var flipRows: Bool
  public var flipColumns: Bool

  public init(transposed: Bool, flipRows: Bool, flipColumns: Bool) {
    self.transposed = transposed
    self.flipRows = flipRows
    self.flipColumns = flipColumns
  }

  public static let identity = DihedralTransform(transposed: false, flipRows: false, flipColumns: false)

  /// All 8 elements, the identity first.
  public static let all: [DihedralTransform] = [false, true].flatMap { transposed in
    [false, true].flatMap { flipRows in
      [false, true].map { flipColumns in
        DihedralTransform(transposed: transposed, flipRows: flipRows, flipColumns: flipColumns)
      }
    }
  }

  public var description: String {
    "D4(transposed: \(transposed), flipRows: \(flipRows), flipColumns: \(flipColumns))"
  }

  /// The transformed tensor (gather with the map in the type's documentation).
  public func apply(to tensor: Tensor) -> Tensor {
    remap(tensor, inverse: false)
  }

  /// The tensor that `apply` maps onto `tensor` (scatter with the same map).
  public func inverse(of tensor: Tensor) -> Tensor {
    remap(tensor, inverse: true)
  }

  private func remap(_ tensor: Tensor, inverse: Bool) -> Tensor {
    let n = tensor.height
    precondition(tensor.width == n, "DihedralTransform: tile \(tensor.shape) is not square")
    if self == .identity { return tensor }
    var result = [Float](repeating: 0, count: tensor.shape.count)
    let plane = n * n
    // Offset of (sy, sx) = sy·n + sx is affine in (y, x): base + y·rowStep + x·columnStep.
    let sourceRowStep = flipRows ? -n : n  // step of sy·n per unit of a
    let sourceColumnStep = flipColumns ? -1 : 1  // step of sx per unit of b
    let rowStep = transposed ? sourceColumnStep : sourceRowStep
    let columnStep = transposed ? sourceRowStep : sourceColumnStep
    let base = (flipRows ? (n - 1) * n : 0) + (flipColumns ? n - 1 : 0)
    tensor.storage.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        for c in 0..<tensor.channels {
          let planeStart = c * plane
          for y in 0..<n {
            for x in 0..<n {
              let mapped = planeStart + base + y * rowStep + x * columnStep
              let straight = planeStart + y * n + x
              if inverse {
                destination[mapped] = source[straight]
              } else {
                destination[straight] = source[mapped]
              }
            }
          }
        }
      }
    }
    return Tensor(shape: tensor.shape, storage: result)
  }
}
