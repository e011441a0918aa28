/// The paper's 2×2 "up-convolution" (a transposed convolution with stride 2 that halves the
/// channels) with bias and optional fused ReLU, forward and backward on raw memory. The
/// public, tensor-level form is `UpConvolution2D`.
///
///     out[co, 2y + dy, 2x + dx] = act(b[co] + Σ_ci W[ci, co, dy, dx] · in[ci, y, x])
///
/// Shapes: in Cin × h × w, out Cout × 2h × 2w, W stored [Cin][Cout][2][2] (as PyTorch's
/// ConvTranspose2d), b [Cout]. Each output pixel sees Cin inputs (no overlap), so the
/// products are GEMMs with rows (co, dy, dx):
/// - forward:      out = Wᵀ · in                  (m 4·Cout, k Cin, n h·w), scattered 2×2
/// - weight grad:  dW = in · gather(dPre)ᵀ        (m Cin, n 4·Cout, k h·w)
/// - input grad:   dIn = W · gather(dPre)         (m Cin, k 4·Cout, n h·w)
enum UpConvolutionKernel {
  static func forward(
    input: FeatureMapView, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    outputChannels: Int, relu: Bool, output: UnsafeMutablePointer<Float>,
    packing: AlignedBuffer, context: GEMMContext
  ) {
    let inputChannels = input.channels
    let rows = 4 * outputChannels
    let a = PrepackedLeftOperand.pack(
      rows: rows, depth: inputChannels, from: weights, rowStride: 1, columnStride: rows,
      into: packing.reserve(PrepackedLeftOperand.storageCount(rows: rows, depth: inputChannels)))
    GEMM.multiply(
      m: rows, n: input.height * input.width, k: inputChannels, a: a,
      b: Im2ColOperand(input: ChannelConcatenation([input]), kernel: 1),
      into: UpsampleScatterOutput(
        output: output, height: input.height, width: input.width, bias: bias, relu: relu),
      context: context)
  }

  /// - Parameters:
  ///   - output: the forward output after ReLU (for its mask); nil without ReLU.
  ///   - inputGradient: dense Cin × h × w, overwritten.
  static func backward(
    input: FeatureMapView, output: UnsafePointer<Float>?, outputGradient: UnsafePointer<Float>,
    weights: UnsafePointer<Float>, outputChannels: Int,
    weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>, masked: AlignedBuffer, packing: AlignedBuffer,
    context: GEMMContext
  ) {
    let h = input.height
    let w = input.width
    let inputChannels = input.channels
    let maskedBase = masked.reserve(outputChannels * 4 * h * w)
    GradientMasking.run(
      outputGradient: outputGradient, output: output, channels: outputChannels, height: 2 * h,
      width: 2 * w, scale: 1, pad: 0, destination: maskedBase, biasGradient: biasGradient,
      parallel: context.parallel)
    let preActivation = FeatureMapView(
      base: maskedBase, channels: outputChannels, height: 2 * h, width: 2 * w)

    GEMM.multiply(
      m: inputChannels, n: 4 * outputChannels, k: h * w, a: FeatureMapRowsOperand(map: input),
      b: TransposedUpsampleGatherOperand(outputGradient: preActivation),
      into: RowsOutput(weightGradient, rowStride: 4 * outputChannels), context: context)

    let depth = 4 * outputChannels
    let a = PrepackedLeftOperand.pack(
      rows: inputChannels, depth: depth, from: weights, rowStride: depth, columnStride: 1,
      into: packing.reserve(PrepackedLeftOperand.storageCount(rows: inputChannels, depth: depth)))
    GEMM.multiply(
      m: inputChannels, n: h * w, k: depth, a: a,
      b: UpsampleGatherOperand(outputGradient: preActivation),
      into: RowsOutput(inputGradient, rowStride: h * w), context: context)
  }
}
