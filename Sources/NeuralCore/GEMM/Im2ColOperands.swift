/// The column matrix of a valid k×k convolution, read straight from the feature maps.
///
/// Row `(c, ky, kx)` (index `(c * k + ky) * k + kx`) and column `p = y * outWidth + x` (an
/// output pixel) hold `input[c, y + ky, x + kx]`, with `outWidth = width - k + 1`. Packing a
/// block of it copies contiguous runs of image rows, so the im2col matrix (hundreds of MB for
/// the paper's first layers) never exists. With k = 1 it is the input itself as a
/// channels × pixels matrix.
struct Im2ColOperand: GEMMRightOperand {
  let input: ChannelConcatenation
  let kernel: Int
  let outWidth: Int
  let outHeight: Int

  init(input: ChannelConcatenation, kernel: Int) {
    precondition(
      input.height >= kernel && input.width >= kernel,
      "Im2Col: input \(input.height)×\(input.width) smaller than kernel \(kernel)")
    self.input = input
    self.kernel = kernel
    self.outWidth = input.width - kernel + 1
    self.outHeight = input.height - kernel + 1
  }

  var rows: Int { input.channels * kernel * kernel }
  var columns: Int { outWidth * outHeight }

  func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    let nr = MicroKernel.columns
    let kc = depth.count
    var panelStart = columns.lowerBound
    var panel = destination
    while panelStart < columns.upperBound {
      let count = Swift.min(nr, columns.upperBound - panelStart)
      let y0 = panelStart / outWidth
      let x0 = panelStart - y0 * outWidth
      let oneRun = count == nr && x0 + nr <= outWidth
      // Walk the rows (c, ky, kx) of the depth block incrementally.
      let kk2 = kernel * kernel
      var c = depth.lowerBound / kk2
      let rest = depth.lowerBound - c * kk2
      var ky = rest / kernel
      var kx = rest - ky * kernel
      var (channelBase, rowStride) = input.channel(c)
      for kk in 0..<kc {
        let source = UnsafePointer(channelBase + ky * rowStride + kx)
        let row = panel + kk * nr
        if oneRun {
          MicroKernel.copyPanelRow(source + y0 * rowStride + x0, to: row)
        } else {
          Packing.forEachRowSegment(start: panelStart, count: count, width: outWidth) {
            offset, y, x, length in
            Packing.copy(source + y * rowStride + x, to: row + offset, count: length)
          }
          for j in count..<nr { row[j] = 0 }
        }
        kx += 1
        if kx == kernel {
          kx = 0
          ky += 1
          if ky == kernel {
            ky = 0
            c += 1
            if kk + 1 < kc { (channelBase, rowStride) = input.channel(c) }
          }
        }
      }
      panelStart += nr
      panel += nr * kc
    }
  }
}

/// The transpose of `Im2ColOperand`: row = output pixel, column = (c, ky, kx). The right
/// operand of the weight gradient, dW = dOut · im2col(input)ᵀ, whose depth runs over pixels.
struct TransposedIm2ColOperand: GEMMRightOperand {
  let columnMatrix: Im2ColOperand

  func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    let kernel = columnMatrix.kernel
    let kk2 = kernel * kernel
    Packing.packPixelLanes(
      lanes: MicroKernel.columns, indices: columns, depth: depth, gridWidth: columnMatrix.outWidth,
      into: destination
    ) { column in
      let c = column / kk2
      let rest = column - c * kk2
      let ky = rest / kernel
      let kx = rest - ky * kernel
      let (channelBase, rowStride) = columnMatrix.input.channel(c)
      return PixelLane(base: channelBase + ky * rowStride + kx, rowStride: rowStride, step: 1)
    }
  }
}

/// A feature map as a left operand: row = channel, column = pixel of its window (p = y * width
/// + x). The left operand of the weight gradients (dOut, or the input of an up-convolution).
struct FeatureMapRowsOperand: GEMMLeftOperand {
  let map: FeatureMapView

  func panels(rows: Range<Int>, depth: Range<Int>, scratch: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float>
  {
    Packing.packPixelLanes(
      lanes: MicroKernel.rows, indices: rows, depth: depth, gridWidth: map.width, into: scratch
    ) { row in
      PixelLane(base: map.channel(row), rowStride: map.rowStride, step: 1)
    }
    return UnsafePointer(scratch)
  }
}
