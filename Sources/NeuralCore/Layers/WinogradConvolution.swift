/// A valid 3×3 convolution (stride 1) by Winograd's F(2×2, 3×3) (`WinogradTransforms`, 2.25×
/// fewer multiply-adds than the direct method) or F(4×4, 3×3) (`WinogradTransforms4x4`, 4×
/// fewer; forward only), which is how it beats the direct method's peak.
///
/// The output is cut into strips of whole tile rows (each tile is 2×2 or 4×4 output pixels; with
/// F(4×4) the last row and column of tiles may be half tiles). Per strip: the input patches are
/// transformed (V), the 16 (or 36) products M_ξ = U_ξ · V_ξ run as packed GEMMs,
/// and M is transformed back into the output with bias and ReLU. Large maps have many strips:
/// each thread then runs whole strips in its own buffers. Small maps have few: all threads then
/// share each strip (splitting the channels of the transforms and the positions ξ of the
/// products). The strip partition depends only on the layer's shape and every value is computed
/// the same way on whichever thread, so results are bit-identical for any thread count. Memory:
/// the transformed filters (16 or 36 × outputs × inputs) and two strip buffers of 16 or 36 ×
/// channels × tiles, bounded by `stripBudget`.
enum WinogradConvolution {
  /// Floats of V plus M per strip (512 Ki floats = 2 MiB, about what one core's L2 holds:
  /// measured faster than 1 MiB and 16 MiB strips).
  static let stripBudget = 1 << 19
  /// Fewest tiles per strip (when the image has them), so that each product's transformed
  /// filter U_ξ (up to 2 MiB in the deepest layers) is reused over enough tiles.
  static let minimumStripTiles = 128
  /// Below this many input channels the transforms cost more than the saved multiply-adds
  /// (the first layer, with one channel, stays on the direct GEMM).
  static let minimumInputChannels = 16
  /// With at least this many strips per thread, threads take whole strips (no synchronisation
  /// inside the layer); with fewer, all threads share each strip (balanced on small maps).
  static let stripsPerThreadForStripParallelism = 4

  /// Fewest 4×4 tiles for which a forward convolution takes F(4×4) when the network asks for
  /// it (`prefersF4x4`): on small maps (the deepest levels) its 36 transformed filter matrices
  /// (up to 151 MB for 1024 × 1024 channels) cost more to write and read than the products
  /// they save. Measured per layer on the paper network (572 tile, one thread, F(4×4) time /
  /// F(2×2) time): 0.67–0.80 from 256 tiles up, 0.90–0.92 at 169 and 196 tiles (the
  /// decoder's deepest level), 1.04 at 49 and 64 (the bottom, left on F(2×2)).
  static let minimumF4x4Tiles = 128

  /// Whether a forward convolution asked to run F(4×4) should: enough tiles per filter.
  static func prefersF4x4(outputHeight: Int, outputWidth: Int) -> Bool {
    ((outputHeight + 3) / 4) * ((outputWidth + 3) / 4) >= minimumF4x4Tiles
  }

  /// The variant a convolution with an output of this size runs when `asked` is the network's
  /// choice (`UNetWorkspace.forwardWinograd`): F(4×4) only on maps with enough tiles, else F(2×2).
  static func variant(_ asked: WinogradVariant, outputHeight: Int, outputWidth: Int) -> WinogradVariant {
    asked != .f2x2 && prefersF4x4(outputHeight: outputHeight, outputWidth: outputWidth) ? asked : .f2x2
  }

  /// Tile rows per strip for a map of tilesX × tilesY tiles whose two matrices per position
  /// have `channels` rows together (`stripBudget`, `minimumStripTiles`).
  static func rowsPerStrip(
    tilesX: Int, tilesY: Int, channels: Int, positions: Int = WinogradTransforms.positions
  ) -> Int {
    let targetTiles = Swift.max(minimumStripTiles, stripBudget / (positions * channels))
    return Swift.min(tilesY, Swift.max(1, (targetTiles + tilesX - 1) / tilesX))
  }

  /// Whether a k×k convolution with this shape takes the Winograd path: k = 3, an even output
  /// height and width (whole 2×2 tiles), and enough input channels.
  static func applies(kernel: Int, inputChannels: Int, outputHeight: Int, outputWidth: Int) -> Bool {
    kernel == 3 && inputChannels >= minimumInputChannels && outputHeight >= 2 && outputWidth >= 2
      && outputHeight % 2 == 0 && outputWidth % 2 == 0
  }

  /// out = filters ⊛ input (valid 3×3 correlation), written or added to `output`'s dense
  /// planes (one per output channel), with `output`'s bias and ReLU when not accumulating.
  /// F(4×4) (`variant`) only writes (no accumulation).
  /// - Parameter filter: (output channel, input channel) → where the 9 taps (ky·3 + kx) of
  ///   that pair are, `flipped` for the rotated filter of an input gradient.
  static func run(
    input: ChannelConcatenation, outputChannels m: Int,
    filter: (Int, Int) -> (UnsafePointer<Float>, flipped: Bool),
    into output: RowsOutput, accumulate: Bool, variant: WinogradVariant = .f2x2, context: GEMMContext
  ) {
    let k = input.channels
    let outHeight = input.height - 2
    let outWidth = input.width - 2
    precondition(
      applies(kernel: 3, inputChannels: k, outputHeight: outHeight, outputWidth: outWidth),
      "Winograd: \(k) channels, output \(outHeight)×\(outWidth) not supported")
    precondition(!accumulate || (output.bias == nil && !output.relu), "Winograd: accumulate with an epilogue")
    precondition(!accumulate || variant == .f2x2, "Winograd: F(4x4) does not accumulate")
    let positions = variant.positions
    let parallel = context.parallel
    let buffers = context.winograd
    let size = variant.tileSize
    let tilesY = (outHeight + size - 1) / size
    let tilesX = (outWidth + size - 1) / size
    let rowsPerStrip = rowsPerStrip(tilesX: tilesX, tilesY: tilesY, channels: k + m, positions: positions)
    let n = rowsPerStrip * tilesX

    let uStride = WinogradTransforms.positionStride(PrepackedLeftOperand.storageCount(rows: m, depth: k))
    let u = buffers.filters.reserve(positions * uStride)
    switch variant {
    case .f2x2:
      WinogradTransforms.transformFilters(
        rows: m, depth: k, into: u, positionStride: uStride, parallel: parallel, filter: filter)
    case .f4x4:
      WinogradTransforms4x4<WinogradPointsTwo>.transformFilters(
        rows: m, depth: k, into: u, positionStride: uStride, parallel: parallel, filter: filter)
    case .f4x4HalfPoints:
      WinogradTransforms4x4<WinogradPointsHalf>.transformFilters(
        rows: m, depth: k, into: u, positionStride: uStride, parallel: parallel, filter: filter)
    case .f4x4MixedPoints:
      WinogradTransforms4x4<WinogradPointsMixed>.transformFilters(
        rows: m, depth: k, into: u, positionStride: uStride, parallel: parallel, filter: filter)
    }
    let vStride = WinogradTransforms.positionStride(PrepackedRightOperand.storageCount(depth: k, columns: n))
    let mStride = WinogradTransforms.positionStride(m * n)
    let stripCount = (tilesY + rowsPerStrip - 1) / rowsPerStrip
    func strip(_ index: Int) -> WinogradStrip {
      let first = index * rowsPerStrip
      return WinogradStrip(
        tileRows: first..<Swift.min(tilesY, first + rowsPerStrip), tilesX: tilesX, wholeTilesX: outWidth / size)
    }
    func inputTransform(_ strip: WinogradStrip, channels: Range<Int>, into v: UnsafeMutablePointer<Float>) {
      let layout = WinogradMatrixLayout.packedRight(depth: k, columns: strip.columns)
      switch variant {
      case .f2x2:
        WinogradTransforms.transformInput(
          input, channels: channels, strip: strip, into: v, positionStride: vStride, layout: layout)
      case .f4x4:
        WinogradTransforms4x4<WinogradPointsTwo>.transformInput(
          input, channels: channels, strip: strip, into: v, positionStride: vStride, layout: layout)
      case .f4x4HalfPoints:
        WinogradTransforms4x4<WinogradPointsHalf>.transformInput(
          input, channels: channels, strip: strip, into: v, positionStride: vStride, layout: layout)
      case .f4x4MixedPoints:
        WinogradTransforms4x4<WinogradPointsMixed>.transformInput(
          input, channels: channels, strip: strip, into: v, positionStride: vStride, layout: layout)
      }
    }
    func products(_ xi: Int, of strip: WinogradStrip, v: UnsafeMutablePointer<Float>, into mBase: UnsafeMutablePointer<Float>, scratch: GEMMScratch) {
      GEMM.multiplySerial(
        m: m, n: strip.columns, k: k, a: PrepackedLeftOperand(base: u + xi * uStride, rows: m, depth: k),
        b: PrepackedRightOperand(base: v + xi * vStride, depth: k, columns: strip.columns),
        into: RowsOutput(mBase + xi * mStride, rowStride: n), scratch: scratch)
    }
    func outputTransform(_ strip: WinogradStrip, channels: Range<Int>, from mBase: UnsafeMutablePointer<Float>) {
      switch variant {
      case .f2x2:
        WinogradTransforms.transformOutput(
          mBase, positionStride: mStride, rowStride: n, channels: channels, strip: strip,
          outWidth: outWidth, into: output, accumulate: accumulate)
      case .f4x4:
        WinogradTransforms4x4<WinogradPointsTwo>.transformOutput(
          mBase, positionStride: mStride, rowStride: n, channels: channels, strip: strip,
          outHeight: outHeight, outWidth: outWidth, into: output)
      case .f4x4HalfPoints:
        WinogradTransforms4x4<WinogradPointsHalf>.transformOutput(
          mBase, positionStride: mStride, rowStride: n, channels: channels, strip: strip,
          outHeight: outHeight, outWidth: outWidth, into: output)
      case .f4x4MixedPoints:
        WinogradTransforms4x4<WinogradPointsMixed>.transformOutput(
          mBase, positionStride: mStride, rowStride: n, channels: channels, strip: strip,
          outHeight: outHeight, outWidth: outWidth, into: output)
      }
    }

    let threads = parallel.threads
    if stripCount >= stripsPerThreadForStripParallelism * threads {
      // Many strips: each thread runs whole strips in its own buffers, with no synchronisation.
      let v = buffers.transformedInput.reserve(threads * positions * vStride)
      let mm = buffers.products.reserve(threads * positions * mStride)
      parallel.forEach(chunks: threads) { part in
        let myV = v + part * positions * vStride
        let myM = mm + part * positions * mStride
        for index in (stripCount * part / threads)..<(stripCount * (part + 1) / threads) {
          let s = strip(index)
          inputTransform(s, channels: 0..<k, into: myV)
          for xi in 0..<positions { products(xi, of: s, v: myV, into: myM, scratch: context.scratch[part]) }
          outputTransform(s, channels: 0..<m, from: myM)
        }
      }
      return
    }
    // Few strips (small maps): all threads work on each strip, splitting channels and positions.
    let v = buffers.transformedInput.reserve(positions * vStride)
    let mm = buffers.products.reserve(positions * mStride)
    let parts = Swift.min(threads, positions)
    for index in 0..<stripCount {
      let s = strip(index)
      parallel.forEachRange(count: k) { channels in inputTransform(s, channels: channels, into: v) }
      parallel.forEach(chunks: parts) { part in
        for xi in (positions * part / parts)..<(positions * (part + 1) / parts) {
          products(xi, of: s, v: v, into: mm, scratch: context.scratch[part])
        }
      }
      parallel.forEachRange(count: m) { channels in outputTransform(s, channels: channels, from: mm) }
    }
  }
}

/// The Winograd path's buffers, kept by a `GEMMContext` and reused by every layer.
final class WinogradBuffers {
  /// U: 16 (or 36) prepacked transformed filter matrices.
  let filters = AlignedBuffer()
  /// V: 16 (or 36) matrices channels × tiles of one strip (per thread when threads take whole strips).
  let transformedInput = AlignedBuffer()
  /// M: 16 (or 36) matrices outputs × tiles of one strip (idem).
  let products = AlignedBuffer()

  var capacity: Int { filters.capacity + transformedInput.capacity + products.capacity }
}
