/// The three roles in `C (+)= A · B` as the packed GEMM sees them.
///
/// Operands never hand the driver a matrix: they pack the block it asks for into the layout
/// the micro-kernel reads (`MicroKernel`). That is where convolution geometry lives: an
/// implicit im2col operand packs the shifted rows of a feature map straight from the image,
/// so no column matrix is ever materialised.

/// The left operand A (m × k), packed in micro-panels of `MicroKernel.rows` rows.
protocol GEMMLeftOperand {
  /// Packs rows `rows` (lower bound a multiple of 4) and depth `depth` as consecutive
  /// micro-panels: panel `p` covers rows `rows.lowerBound + 4p ..< +4`, holding for each depth
  /// index its 4 row values (zero past the last row). Returns the packed block, either in
  /// `scratch` or in storage that was packed ahead of time.
  func panels(rows: Range<Int>, depth: Range<Int>, scratch: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float>
}

/// The right operand B (k × n), packed in micro-panels of `MicroKernel.columns` columns.
protocol GEMMRightOperand {
  /// Packs depth `depth` and columns `columns` (lower bound a multiple of 24) as consecutive
  /// micro-panels: panel `p` holds, for each depth index, the 24 values of columns
  /// `columns.lowerBound + 24p ..< +24` (zero past the last column).
  func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>)

  /// The packed block: by default `pack`ed into `scratch`; operands packed ahead of time
  /// return their own storage.
  func panels(depth: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float>
}

extension GEMMRightOperand {
  func panels(depth: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float>
  {
    pack(depth: depth, columns: columns, into: scratch)
    return UnsafePointer(scratch)
  }
}

/// Where C goes.
protocol GEMMOutput {
  /// For a full 4×24 tile at (row, column): a pointer and row stride through which the
  /// kernel can store it straight from registers, or nil when the tile must be scattered.
  func directTile(row: Int, column: Int) -> (UnsafeMutablePointer<Float>, Int)?

  /// Stores (or adds, when `accumulate`) a computed tile held in `tile` with row stride 24.
  func store(
    tile: UnsafePointer<Float>, row: Int, column: Int, rows: Int, columns: Int, accumulate: Bool)

  /// Whether `finish` does anything (bias, ReLU).
  var hasEpilogue: Bool { get }

  /// Called once per tile after its last depth block: applies bias and activation in place.
  func finish(row: Int, column: Int, rows: Int, columns: Int)
}

extension GEMMOutput {
  var hasEpilogue: Bool { false }
  func finish(row: Int, column: Int, rows: Int, columns: Int) {}
}
