/// The weight gradient of a valid 3×3 convolution by F(2×2, 3×3)
/// (`WinogradGradientTransforms`): dW[co, ci] = Gᵀ (Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B)) G.
///
/// Per strip of tile rows (`WinogradConvolution.rowsPerStrip`): the input patches (V) and the
/// output-gradient tiles (dZ) are transformed, then the 16 products dU_ξ += dZ_ξ · V_ξᵀ
/// accumulate over the strips in order. Large maps with small filters split their strips
/// into a fixed number of groups (`groups`), each summed into its own dU by one thread and
/// added up in group order; otherwise all threads share each strip (splitting the channels of
/// the transforms, then the positions ξ). Either way every value is summed in an order that
/// does not depend on the thread count: results are bit-identical for any number of threads.
/// Finally dW = Gᵀ dU G, threads splitting the output channels.
enum WinogradWeightGradient {
  /// Partial sums of dU when a map has many strips: a constant (not the thread count), so the
  /// order of the sums, and the result, is the same for any number of threads.
  static let groups = 8
  /// Fewest strips for the grouped mode.
  static let minimumStripsForGroups = 16
  /// Most floats for the groups' partial dU (4 Mi floats = 16 MiB: the first levels' filters).
  static let groupBudget = 1 << 22

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
    let stripCount = (tilesY + rowsPerStrip - 1) / rowsPerStrip
    func strip(_ index: Int) -> WinogradStrip {
      let first = index * rowsPerStrip
      return WinogradStrip(tileRows: first..<Swift.min(tilesY, first + rowsPerStrip), tilesX: tilesX)
    }
    /// dU_ξ (+)= dZ_ξ · V_ξᵀ over the strip's tiles.
    func product(
      _ xi: Int, columns: Int, v: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>,
      into du: UnsafeMutablePointer<Float>, accumulate: Bool, scratch: GEMMScratch
    ) {
      let gradientTiles = FeatureMapView(
        base: z + xi * zStride, channels: m, height: 1, width: columns, rowStride: n, channelStride: n)
      let inputTiles = FeatureMapView(
        base: v + xi * vStride, channels: k, height: 1, width: columns, rowStride: n, channelStride: n)
      GEMM.multiplySerial(
        m: m, n: k, k: columns, a: FeatureMapRowsOperand(map: gradientTiles),
        b: TransposedIm2ColOperand(
          columnMatrix: Im2ColOperand(input: ChannelConcatenation([inputTiles]), kernel: 1)),
        into: RowsOutput(du + xi * duStride, rowStride: k), accumulate: accumulate, scratch: scratch)
    }
    let threads = parallel.threads
    let groupStride = positions * duStride

    if stripCount >= minimumStripsForGroups && groups * groupStride <= groupBudget {
      // Many strips and small filters: a fixed number of groups of consecutive strips, each
      // summed into its own dU by one thread with no synchronisation, then added up in group
      // order (by the filter transform). The grouping does not depend on the thread count.
      let v = buffers.transformedInput.reserve(threads * positions * vStride)
      let z = buffers.products.reserve(threads * positions * zStride)
      let du = buffers.filters.reserve(groups * groupStride)
      parallel.forEach(chunks: threads) { part in
        let myV = v + part * positions * vStride
        let myZ = z + part * positions * zStride
        for group in (groups * part / threads)..<(groups * (part + 1) / threads) {
          let strips = (stripCount * group / groups)..<(stripCount * (group + 1) / groups)
          for index in strips {
            let s = strip(index)
            WinogradTransforms.transformInput(
              input, channels: 0..<k, strip: s, into: myV, positionStride: vStride, layout: .rowMajor(rowStride: n))
            WinogradGradientTransforms.transformOutputGradient(
              outputGradient, channels: 0..<m, strip: s, into: myZ, positionStride: zStride, rowStride: n)
            for xi in 0..<positions {
              product(
                xi, columns: s.columns, v: myV, z: myZ, into: du + group * groupStride,
                accumulate: index > strips.lowerBound, scratch: context.scratch[part])
            }
          }
        }
      }
      parallel.forEachRange(count: m) { rows in
        WinogradGradientTransforms.transformFilterGradient(
          du, positionStride: duStride, groups: groups, groupStride: groupStride, rows: rows, inputs: k,
          into: weightGradient)
      }
      return
    }

    // Few strips (or large filters): all threads work on each strip, splitting the channels of
    // the transforms and then the positions ξ, each dU_ξ summed over the strips in order.
    let v = buffers.transformedInput.reserve(positions * vStride)
    let z = buffers.products.reserve(positions * zStride)
    let du = buffers.filters.reserve(groupStride)
    let parts = Swift.min(threads, positions)
    for index in 0..<stripCount {
      let s = strip(index)
      parallel.forEachRange(count: k + m) { channels in
        let inputs = channels.clamped(to: 0..<k)
        if !inputs.isEmpty {
          WinogradTransforms.transformInput(
            input, channels: inputs, strip: s, into: v, positionStride: vStride, layout: .rowMajor(rowStride: n))
        }
        let outputs = channels.clamped(to: k..<(k + m))
        if !outputs.isEmpty {
          WinogradGradientTransforms.transformOutputGradient(
            outputGradient, channels: (outputs.lowerBound - k)..<(outputs.upperBound - k), strip: s,
            into: z, positionStride: zStride, rowStride: n)
        }
      }
      parallel.forEach(chunks: parts) { part in
        for xi in (positions * part / parts)..<(positions * (part + 1) / parts) {
          product(
            xi, columns: s.columns, v: v, z: z, into: du, accumulate: index > 0, scratch: context.scratch[part])
        }
      }
    }
    parallel.forEachRange(count: m) { rows in
      WinogradGradientTransforms.transformFilterGradient(
        du, positionStride: duStride, groups: 1, groupStride: groupStride, rows: rows, inputs: k,
        into: weightGradient)
    }
  }
}
