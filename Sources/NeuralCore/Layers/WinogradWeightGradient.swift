/// The weight gradient of a valid 3×3 convolution by F(2×2, 3×3)
/// (`WinogradGradientTransforms`): dW[co, ci] = Gᵀ (Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B)) G.
///
/// Per strip of tile rows (`WinogradConvolution.rowsPerStrip`): the input patches (V) and the
/// output-gradient tiles (dZ) are transformed, threads splitting the channels; then each
/// position's product dU_ξ += dZ_ξ · V_ξᵀ runs on one thread (threads split the positions) and
/// accumulates over the strips in order. Every dU_ξ is thus summed in the same order whatever
/// the thread count: results are bit-identical for any number of threads. Finally
/// dW = Gᵀ dU G, threads splitting the output channels.
enum WinogradWeightGradient {
  /// - Parameters:
  ///   - input: the layer's input, Cin × H × W (H − 2 and W − 2 even).
  ///   - outputGradient: the gradient before the activation, Cout × (H − 2) × (W − 2).
  ///   - weightGradient: [Cout][Cin][3][3], overwritten.
  static func run(
    input: ChannelConcatenation, outputGradient: FeatureMapView,
    into weightGradient: UnsafeMutablePointer<Float>, context: GEMMContext
  ) {
    let k = input.channels
    let m = outputGradient.channels
    precondition(
      outputGradient.height == input.height - 2 && outputGradient.width == input.width - 2
        && outputGradient.height % 2 == 0 && outputGradient.width % 2 == 0,
      "Winograd weight gradient: output \(outputGradient.height)×\(outputGradient.width) for input \(input.height)×\(input.width)")
    let positions = WinogradTransforms.positions
    let parallel = context.parallel
    let buffers = context.winograd
    let tilesY = outputGradient.height / 2
    let tilesX = outputGradient.width / 2
    let rowsPerStrip = WinogradConvolution.rowsPerStrip(tilesX: tilesX, tilesY: tilesY, channels: k + m)
    let n = rowsPerStrip * tilesX
    let vStride = WinogradTransforms.positionStride(k * n)
    let zStride = WinogradTransforms.positionStride(m * n)
    let duStride = WinogradTransforms.positionStride(m * k)
    let v = buffers.transformedInput.reserve(positions * vStride)
    let z = buffers.products.reserve(positions * zStride)
    let du = buffers.filters.reserve(positions * duStride)
    let threads = parallel.threads
    let parts = Swift.min(threads, positions)

    var first = 0
    while first < tilesY {
      let strip = WinogradStrip(tileRows: first..<Swift.min(tilesY, first + rowsPerStrip), tilesX: tilesX)
      let accumulate = first > 0
      // Input channels and output-gradient channels, split together over the threads.
      parallel.forEachRange(count: k + m) { channels in
        let inputs = channels.clamped(to: 0..<k)
        if !inputs.isEmpty {
          WinogradTransforms.transformInput(
            input, channels: inputs, strip: strip, into: v, positionStride: vStride, layout: .rowMajor(rowStride: n))
        }
        let outputs = channels.clamped(to: k..<(k + m))
        if !outputs.isEmpty {
          WinogradGradientTransforms.transformOutputGradient(
            outputGradient, channels: (outputs.lowerBound - k)..<(outputs.upperBound - k), strip: strip,
            into: z, positionStride: zStride, rowStride: n)
        }
      }
      let columns = strip.columns
      parallel.forEach(chunks: parts) { part in
        for xi in (positions * part / parts)..<(positions * (part + 1) / parts) {
          let gradientTiles = FeatureMapView(
            base: z + xi * zStride, channels: m, height: 1, width: columns, rowStride: n, channelStride: n)
          let inputTiles = FeatureMapView(
            base: v + xi * vStride, channels: k, height: 1, width: columns, rowStride: n, channelStride: n)
          GEMM.multiplySerial(
            m: m, n: k, k: columns, a: FeatureMapRowsOperand(map: gradientTiles),
            b: TransposedIm2ColOperand(
              columnMatrix: Im2ColOperand(input: ChannelConcatenation([inputTiles]), kernel: 1)),
            into: RowsOutput(du + xi * duStride, rowStride: k), accumulate: accumulate,
            scratch: context.scratch[part])
        }
      }
      first = strip.tileRows.upperBound
    }
    parallel.forEachRange(count: m) { rows in
      WinogradGradientTransforms.transformFilterGradient(
        du, positionStride: duStride, rows: rows, inputs: k, into: weightGradient)
    }
  }
}
