/// Small loops shared by the packing operands.
enum Packing {
  /// Copies `count` floats (vector body, scalar tail).
  @inline(__always)
  static func copy(
    _ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int
  ) {
    var i = 0
    while i + 8 <= count {
      MicroKernel.store(MicroKernel.load(source + i), destination + i)
      i += 8
    }
    while i < count {
      destination[i] = source[i]
      i += 1
    }
  }

  /// Calls `body(offset, y, x, length)` for the row pieces of the pixel range
  /// `start ..< start + count` of a grid `width` pixels wide (pixel p is (p / width, p % width)):
  /// `offset` is the position of the piece inside the range.
  @inline(__always)
  static func forEachRowSegment(
    start: Int, count: Int, width: Int, _ body: (Int, Int, Int, Int) -> Void
  ) {
    var y = start / width
    var x = start - y * width
    var offset = 0
    while offset < count {
      let length = Swift.min(count - offset, width - x)
      body(offset, y, x, length)
      offset += length
      y += 1
      x = 0
    }
  }
}

/// One lane of a transposing pack: the value at grid pixel (y, x) is
/// `base[y * rowStride + x * step]`.
struct PixelLane {
  let base: UnsafePointer<Float>
  let rowStride: Int
  let step: Int
}

extension Packing {
  /// The transposing packs, where the GEMM's depth runs over pixels (weight gradients): fills
  /// consecutive micro-panels of `lanes` lanes for the indices in `indices` (rows of A or
  /// columns of B), each lane holding its source's values at the pixels `depth` of a grid
  /// `gridWidth` wide, interleaved (`destination[kk * lanes + j]`). Lanes past the end of
  /// `indices` are zero.
  @inline(__always)
  static func packPixelLanes(
    lanes: Int, indices: Range<Int>, depth: Range<Int>, gridWidth: Int,
    into destination: UnsafeMutablePointer<Float>, source: (Int) -> PixelLane
  ) {
    let kc = depth.count
    var panelStart = indices.lowerBound
    var panel = destination
    while panelStart < indices.upperBound {
      for j in 0..<lanes {
        let index = panelStart + j
        guard index < indices.upperBound else {
          for kk in 0..<kc { panel[kk * lanes + j] = 0 }
          continue
        }
        let lane = source(index)
        forEachRowSegment(start: depth.lowerBound, count: kc, width: gridWidth) {
          offset, y, x, length in
          let s = lane.base + y * lane.rowStride + x * lane.step
          var d = panel + offset * lanes + j
          for t in 0..<length {
            d.pointee = s[t * lane.step]
            d += lanes
          }
        }
      }
      panelStart += lanes
      panel += lanes * kc
    }
  }
}

/// A left operand packed once ahead of the multiplication (the layer's weights), in exactly
/// the block layout the driver asks for: for each depth block (`GEMMBlocking.depthBlocks`),
/// all row panels of that block, `paddedRows × blockDepth` floats starting at
/// `blockStart × paddedRows`.
struct PrepackedLeftOperand: GEMMLeftOperand {
  let base: UnsafePointer<Float>
  let rows: Int
  let depth: Int

  static func paddedRows(_ m: Int) -> Int {
    (m + MicroKernel.rows - 1) / MicroKernel.rows * MicroKernel.rows
  }

  /// Floats needed to prepack an m × k matrix.
  static func storageCount(rows m: Int, depth k: Int) -> Int { paddedRows(m) * k }

  /// Packs the m × k matrix whose element (i, p) is `element(i, p)` into `storage`.
  @inline(__always)
  static func pack(
    rows m: Int, depth k: Int, into storage: UnsafeMutablePointer<Float>,
    element: (Int, Int) -> Float
  ) -> PrepackedLeftOperand {
    let padded = paddedRows(m)
    let blocks = GEMMBlocking.depthBlocks(k)
    for block in 0..<blocks.count {
      let range = blocks.range(block)
      let kc = range.count
      let blockBase = storage + range.lowerBound * padded
      var panelRow = 0
      while panelRow < padded {
        let panel = blockBase + panelRow * kc
        for r in 0..<MicroKernel.rows {
          let i = panelRow + r
          if i < m {
            for kk in 0..<kc { panel[kk * MicroKernel.rows + r] = element(i, range.lowerBound + kk) }
          } else {
            for kk in 0..<kc { panel[kk * MicroKernel.rows + r] = 0 }
          }
        }
        panelRow += MicroKernel.rows
      }
    }
    return PrepackedLeftOperand(base: storage, rows: m, depth: k)
  }

  /// Packs a matrix stored with the given strides (row-major: `rowStride = k, columnStride = 1`;
  /// its transpose: `rowStride = 1, columnStride = m`).
  static func pack(
    rows m: Int, depth k: Int, from source: UnsafePointer<Float>, rowStride: Int,
    columnStride: Int, into storage: UnsafeMutablePointer<Float>
  ) -> PrepackedLeftOperand {
    pack(rows: m, depth: k, into: storage) { i, p in source[i * rowStride + p * columnStride] }
  }

  func panels(rows: Range<Int>, depth: Range<Int>, scratch: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float>
  {
    base + depth.lowerBound * PrepackedLeftOperand.paddedRows(self.rows) + rows.lowerBound * depth.count
  }
}

/// A right operand (k × n) stored ahead of the multiplication in exactly the block layout the
/// driver asks for: for each depth block (`GEMMBlocking.depthBlocks(k)`) starting at row
/// `blockStart`, its column panels of 24, `blockDepth × 24` floats each, from
/// `blockStart × paddedColumns(n)`; element (p, j) of a block of depth kc sits at
/// `(j / 24) · kc · 24 + (p − blockStart) · 24 + j % 24`. Whoever fills it (the Winograd input
/// transform) writes straight into the layout, so the GEMM packs nothing.
struct PrepackedRightOperand: GEMMRightOperand {
  let base: UnsafePointer<Float>
  let depth: Int
  let columns: Int

  static func paddedColumns(_ n: Int) -> Int {
    (n + MicroKernel.columns - 1) / MicroKernel.columns * MicroKernel.columns
  }

  /// Floats needed for a k × n operand.
  static func storageCount(depth k: Int, columns n: Int) -> Int { k * paddedColumns(n) }

  /// Where row `p` of the operand starts (its column 0) and the depth of its block.
  static func row(_ p: Int, depth k: Int, columns n: Int) -> (offset: Int, blockDepth: Int) {
    let blocks = GEMMBlocking.depthBlocks(k)
    let block = p / blocks.size
    let range = blocks.range(block)
    return (range.lowerBound * paddedColumns(n) + (p - range.lowerBound) * MicroKernel.columns, range.count)
  }

  /// Offset of column `j` from its row's start, in a block of depth `blockDepth`.
  @inline(__always)
  static func columnOffset(_ j: Int, blockDepth: Int) -> Int {
    let panel = j / MicroKernel.columns
    return panel * blockDepth * MicroKernel.columns + (j - panel * MicroKernel.columns)
  }

  func panels(depth range: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float>
  {
    base + range.lowerBound * PrepackedRightOperand.paddedColumns(self.columns) + columns.lowerBound * range.count
  }

  func pack(depth range: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    let count = range.count * PrepackedRightOperand.paddedColumns(columns.count)
    destination.update(from: panels(depth: range, columns: columns, scratch: destination), count: count)
  }
}
