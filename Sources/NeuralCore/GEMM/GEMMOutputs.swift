/// Rows of C stored densely, optionally followed by bias and ReLU: the output of a
/// convolution (row = output channel, column = pixel), a weight gradient (row-major matrix),
/// or the input gradient of a concatenation, whose rows go to two different tensors (rows
/// below `split` to `first`, the rest to `second`).
struct RowsOutput: GEMMOutput {
  let first: UnsafeMutablePointer<Float>
  let second: UnsafeMutablePointer<Float>
  let split: Int
  let rowStride: Int
  let bias: UnsafePointer<Float>?
  let relu: Bool

  /// A dense row-major destination with `rowStride` floats per row.
  init(
    _ base: UnsafeMutablePointer<Float>, rowStride: Int, bias: UnsafePointer<Float>? = nil,
    relu: Bool = false
  ) {
    self.first = base
    self.second = base
    self.split = Int.max
    self.rowStride = rowStride
    self.bias = bias
    self.relu = relu
  }

  /// Rows `0..<split` go to `first`, rows `split...` to `second` (row `split` is its row 0).
  init(
    first: UnsafeMutablePointer<Float>, split: Int, second: UnsafeMutablePointer<Float>,
    rowStride: Int
  ) {
    self.first = first
    self.second = second
    self.split = split
    self.rowStride = rowStride
    self.bias = nil
    self.relu = false
  }

  /// Where row `row` starts (for a convolution: the dense plane of output channel `row`).
  @inline(__always)
  func rowPointer(_ row: Int) -> UnsafeMutablePointer<Float> {
    row < split ? first + row * rowStride : second + (row - split) * rowStride
  }

  @inline(__always)
  func directTile(row: Int, column: Int) -> (UnsafeMutablePointer<Float>, Int)? {
    if row < split && row + MicroKernel.rows > split { return nil }
    return (rowPointer(row) + column, rowStride)
  }

  func store(
    tile: UnsafePointer<Float>, row: Int, column: Int, rows: Int, columns: Int, accumulate: Bool
  ) {
    for r in 0..<rows {
      let destination = rowPointer(row + r) + column
      let source = tile + r * MicroKernel.columns
      if accumulate {
        for j in 0..<columns { destination[j] += source[j] }
      } else {
        Packing.copy(source, to: destination, count: columns)
      }
    }
  }

  var hasEpilogue: Bool { bias != nil || relu }

  func finish(row: Int, column: Int, rows: Int, columns: Int) {
    for r in 0..<rows {
      let p = rowPointer(row + r) + column
      let b = bias.map { $0[row + r] } ?? 0
      Epilogue.apply(p, count: columns, bias: b, relu: relu)
    }
  }
}

/// The output of a 2×2 stride-2 up-convolution: row `(c, dy, dx)` = `c * 4 + dy * 2 + dx` and
/// column `p = y * width + x` (a low-resolution pixel) land at `output[c, 2y + dy, 2x + dx]`.
struct UpsampleScatterOutput: GEMMOutput {
  let output: UnsafeMutablePointer<Float>
  let width: Int
  let outputWidth: Int
  let planeSize: Int
  let bias: UnsafePointer<Float>?
  let relu: Bool

  /// `output` is dense C × 2h × 2w; `width` is w.
  init(output: UnsafeMutablePointer<Float>, height: Int, width: Int, bias: UnsafePointer<Float>?, relu: Bool) {
    self.output = output
    self.width = width
    self.outputWidth = 2 * width
    self.planeSize = 4 * height * width
    self.bias = bias
    self.relu = relu
  }

  func directTile(row: Int, column: Int) -> (UnsafeMutablePointer<Float>, Int)? { nil }

  @inline(__always)
  private func forEachDestination(
    row: Int, column: Int, rows: Int, columns: Int,
    _ body: (Int, Int, UnsafeMutablePointer<Float>, Int) -> Void
  ) {
    for r in 0..<rows {
      let index = row + r
      let c = index >> 2
      let rowBase = output + c * planeSize + ((index >> 1) & 1) * outputWidth + (index & 1)
      Packing.forEachRowSegment(start: column, count: columns, width: width) {
        offset, y, x, length in
        body(r, offset, rowBase + 2 * y * outputWidth + 2 * x, length)
      }
    }
  }

  /// For the columns of one micro-tile whose four rows are channel `channel`'s (dy, dx): each
  /// run of low-resolution pixels in one image row, as (offset in the tile, the output pixel
  /// (2y, 2x) where the run's top output row starts, length in low-resolution pixels).
  @inline(__always)
  private func forEachQuad(
    channel: Int, column: Int, columns: Int, _ body: (Int, UnsafeMutablePointer<Float>, Int) -> Void
  ) {
    let plane = output + channel * planeSize
    Packing.forEachRowSegment(start: column, count: columns, width: width) { offset, y, x, length in
      body(offset, plane + 2 * y * outputWidth + 2 * x, length)
    }
  }

  func store(
    tile: UnsafePointer<Float>, row: Int, column: Int, rows: Int, columns: Int, accumulate: Bool
  ) {
    if rows == 4 && row & 3 == 0 {
      // One channel's four rows (dy, dx) = (0,0), (0,1), (1,0), (1,1): two contiguous
      // interleaved runs per low-resolution row instead of four strided ones.
      let nr = MicroKernel.columns
      forEachQuad(channel: row >> 2, column: column, columns: columns) { offset, top, length in
        let s0 = tile + offset
        let (s1, s2, s3) = (s0 + nr, s0 + 2 * nr, s0 + 3 * nr)
        let bottom = top + outputWidth
        if accumulate {
          for t in 0..<length {
            top[2 * t] += s0[t]
            top[2 * t + 1] += s1[t]
            bottom[2 * t] += s2[t]
            bottom[2 * t + 1] += s3[t]
          }
        } else {
          for t in 0..<length {
            top[2 * t] = s0[t]
            top[2 * t + 1] = s1[t]
            bottom[2 * t] = s2[t]
            bottom[2 * t + 1] = s3[t]
          }
        }
      }
      return
    }
    forEachDestination(row: row, column: column, rows: rows, columns: columns) {
      r, offset, destination, length in
      let source = tile + r * MicroKernel.columns + offset
      if accumulate {
        for t in 0..<length { destination[2 * t] += source[t] }
      } else {
        for t in 0..<length { destination[2 * t] = source[t] }
      }
    }
  }

  var hasEpilogue: Bool { bias != nil || relu }

  func finish(row: Int, column: Int, rows: Int, columns: Int) {
    if rows == 4 && row & 3 == 0 {
      let b = bias.map { $0[row >> 2] } ?? 0
      forEachQuad(channel: row >> 2, column: column, columns: columns) { _, top, length in
        Epilogue.apply(top, count: 2 * length, bias: b, relu: relu)
        Epilogue.apply(top + outputWidth, count: 2 * length, bias: b, relu: relu)
      }
      return
    }
    forEachDestination(row: row, column: column, rows: rows, columns: columns) {
      r, _, destination, length in
      let b = bias.map { $0[(row + r) >> 2] } ?? 0
      for t in 0..<length {
        let v = destination[2 * t] + b
        destination[2 * t] = relu ? Swift.max(v, 0) : v
      }
    }
  }
}

/// Bias and ReLU over a run of floats, vectorised.
enum Epilogue {
  @inline(__always)
  static func apply(_ p: UnsafeMutablePointer<Float>, count: Int, bias: Float, relu: Bool) {
    let b = SIMD8<Float>(repeating: bias)
    var j = 0
    if relu {
      while j + 8 <= count {
        // `replacing(with:where:)` compiles to a vector blend; the standard library's
        // `pointwiseMax` runs lane by lane (10× slower, measured).
        let v = MicroKernel.load(p + j) + b
        MicroKernel.store(v.replacing(with: 0, where: v .< 0), p + j)
        j += 8
      }
      while j < count {
        p[j] = Swift.max(p[j] + bias, 0)
        j += 1
      }
    } else {
      while j + 8 <= count {
        MicroKernel.store(MicroKernel.load(p + j) + b, p + j)
        j += 8
      }
      while j < count {
        p[j] += bias
        j += 1
      }
    }
  }
}
