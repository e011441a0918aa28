/// The gradient of a 2×2 stride-2 up-convolution's output, read as a matrix indexed by the
/// up-convolution's input pixels.
///
/// Row `(c, dy, dx)` (index `c * 4 + dy * 2 + dx`) and column `p = y * width + x` (a pixel of
/// the low-resolution input, `width` = half the output width) hold
/// `outputGradient[c, 2y + dy, 2x + dx]`: the right operand of the input gradient
/// dIn = W · this.
struct UpsampleGatherOperand: GEMMRightOperand {
  let outputGradient: FeatureMapView
  let width: Int

  init(outputGradient: FeatureMapView) {
    precondition(
      outputGradient.height % 2 == 0 && outputGradient.width % 2 == 0,
      "UpsampleGather: odd size \(outputGradient.height)×\(outputGradient.width)")
    self.outputGradient = outputGradient
    self.width = outputGradient.width / 2
  }

  /// Where row (c, dy, dx)'s values start: outputGradient[c, dy, dx].
  @inline(__always)
  func rowSource(_ row: Int) -> UnsafePointer<Float> {
    let c = row >> 2
    let dy = (row >> 1) & 1
    let dx = row & 1
    return UnsafePointer(outputGradient.channel(c) + dy * outputGradient.rowStride + dx)
  }

  func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    let nr = MicroKernel.columns
    let kc = depth.count
    let stride = 2 * outputGradient.rowStride
    var panelStart = columns.lowerBound
    var panel = destination
    while panelStart < columns.upperBound {
      let count = Swift.min(nr, columns.upperBound - panelStart)
      for kk in 0..<kc {
        let source = rowSource(depth.lowerBound + kk)
        let row = panel + kk * nr
        Packing.forEachRowSegment(start: panelStart, count: count, width: width) {
          offset, y, x, length in
          let s = source + y * stride + 2 * x
          for t in 0..<length { row[offset + t] = s[2 * t] }
        }
        for j in count..<nr { row[j] = 0 }
      }
      panelStart += nr
      panel += nr * kc
    }
  }
}

/// The transpose of `UpsampleGatherOperand` (row = low-resolution pixel, column = (c, dy, dx)):
/// the right operand of the up-convolution's weight gradient,
/// dW[ci, (c, dy, dx)] = Σ_p input[ci, p] · outputGradient[c, 2y + dy, 2x + dx].
struct TransposedUpsampleGatherOperand: GEMMRightOperand {
  let gather: UpsampleGatherOperand

  init(outputGradient: FeatureMapView) {
    gather = UpsampleGatherOperand(outputGradient: outputGradient)
  }

  func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    Packing.packPixelLanes(
      lanes: MicroKernel.columns, indices: columns, depth: depth, gridWidth: gather.width,
      into: destination
    ) { column in
      PixelLane(
        base: gather.rowSource(column), rowStride: 2 * gather.outputGradient.rowStride, step: 2)
    }
  }
}
