/// `C (+)= A · B` through packed operands, cache blocking (`GEMMBlocking`) and the 4×24 SIMD
/// register tile (`MicroKernel`), spread over the context's threads.
///
/// Threads split C into disjoint column ranges (or row ranges when C is narrow), so they never
/// write the same memory and need no reduction. Every element of C is summed over the same
/// depth blocks in the same order whatever the split, so results are bit-identical for any
/// thread count.
enum GEMM {
  static func multiply<A: GEMMLeftOperand, B: GEMMRightOperand, C: GEMMOutput>(
    m: Int, n: Int, k: Int, a: A, b: B, into c: C, accumulate: Bool = false,
    context: GEMMContext
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative extent \(m)×\(n)×\(k)")
    if m == 0 || n == 0 { return }
    let threads = context.parallel.threads
    let columnPanels = (n + MicroKernel.columns - 1) / MicroKernel.columns
    let rowPanels = (m + MicroKernel.rows - 1) / MicroKernel.rows
    // Split the wider dimension; columns unless they are too few to keep every thread busy.
    let splitRows = columnPanels < 2 * threads && rowPanels > columnPanels
    let panels = splitRows ? rowPanels : columnPanels
    let parts = Swift.max(1, Swift.min(threads, panels))
    context.parallel.forEach(chunks: parts) { part in
      let first = panels * part / parts
      let last = panels * (part + 1) / parts
      let rows: Range<Int>
      let columns: Range<Int>
      if splitRows {
        rows = (first * MicroKernel.rows)..<Swift.min(m, last * MicroKernel.rows)
        columns = 0..<n
      } else {
        rows = 0..<m
        columns = (first * MicroKernel.columns)..<Swift.min(n, last * MicroKernel.columns)
      }
      multiplyBlock(
        rows: rows, columns: columns, k: k, a: a, b: b, into: c, accumulate: accumulate,
        scratch: context.scratch[part])
    }
  }

  /// The same product computed on the calling thread in one thread's `scratch`: for callers
  /// that spread independent products over the threads themselves.
  static func multiplySerial<A: GEMMLeftOperand, B: GEMMRightOperand, C: GEMMOutput>(
    m: Int, n: Int, k: Int, a: A, b: B, into c: C, accumulate: Bool = false, scratch: GEMMScratch
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative extent \(m)×\(n)×\(k)")
    if m == 0 || n == 0 { return }
    multiplyBlock(rows: 0..<m, columns: 0..<n, k: k, a: a, b: b, into: c, accumulate: accumulate, scratch: scratch)
  }

  /// The serial blocked loops over one rectangle of C.
  private static func multiplyBlock<A: GEMMLeftOperand, B: GEMMRightOperand, C: GEMMOutput>(
    rows: Range<Int>, columns: Range<Int>, k: Int, a: A, b: B, into c: C, accumulate: Bool,
    scratch: GEMMScratch
  ) {
    let mr = MicroKernel.rows
    let nr = MicroKernel.columns
    let blocks = GEMMBlocking.depthBlocks(k)
    let packedBScratch = scratch.packedB.pointer
    let packedAScratch = scratch.packedA.pointer
    let tile = scratch.tile.pointer
    if k == 0 {
      // C = 0 (+ epilogue): an empty depth still defines C.
      tile.initialize(repeating: 0, count: mr * nr)
      forEachTile(rows: rows, columns: columns) { row, column, tileRows, tileColumns in
        c.store(
          tile: tile, row: row, column: column, rows: tileRows, columns: tileColumns,
          accumulate: accumulate)
        if c.hasEpilogue { c.finish(row: row, column: column, rows: tileRows, columns: tileColumns) }
      }
      return
    }
    var jc = columns.lowerBound
    while jc < columns.upperBound {
      let jcEnd = Swift.min(columns.upperBound, jc + GEMMBlocking.columnBlock)
      for block in 0..<blocks.count {
        let depth = blocks.range(block)
        let kc = depth.count
        let addToC = accumulate || block > 0
        let isLast = block == blocks.count - 1
        let packedB = b.panels(depth: depth, columns: jc..<jcEnd, scratch: packedBScratch)
        var ic = rows.lowerBound
        while ic < rows.upperBound {
          let icEnd = Swift.min(rows.upperBound, ic + GEMMBlocking.rowBlock)
          let packedA = a.panels(rows: ic..<icEnd, depth: depth, scratch: packedAScratch)
          var jr = jc
          while jr < jcEnd {
            let tileColumns = Swift.min(nr, jcEnd - jr)
            let bPanel = packedB + (jr - jc) * kc
            var ir = ic
            while ir < icEnd {
              let tileRows = Swift.min(mr, icEnd - ir)
              let aPanel = packedA + (ir - ic) * kc
              if tileRows == mr && tileColumns == nr, let (pointer, ldc) = c.directTile(row: ir, column: jr) {
                MicroKernel.run(
                  depth: kc, a: aPanel, b: bPanel, c: pointer, ldc: ldc, accumulate: addToC)
              } else {
                MicroKernel.run(depth: kc, a: aPanel, b: bPanel, c: tile, ldc: nr, accumulate: false)
                c.store(
                  tile: tile, row: ir, column: jr, rows: tileRows, columns: tileColumns,
                  accumulate: addToC)
              }
              if isLast && c.hasEpilogue {
                c.finish(row: ir, column: jr, rows: tileRows, columns: tileColumns)
              }
              ir += mr
            }
            jr += nr
          }
          ic = icEnd
        }
      }
      jc = jcEnd
    }
  }

  @inline(__always)
  private static func forEachTile(
    rows: Range<Int>, columns: Range<Int>, _ body: (Int, Int, Int, Int) -> Void
  ) {
    var row = rows.lowerBound
    while row < rows.upperBound {
      var column = columns.lowerBound
      while column < columns.upperBound {
        body(
          row, column, Swift.min(MicroKernel.rows, rows.upperBound - row),
          Swift.min(MicroKernel.columns, columns.upperBound - column))
        column += MicroKernel.columns
      }
      row += MicroKernel.rows
    }
  }
}
