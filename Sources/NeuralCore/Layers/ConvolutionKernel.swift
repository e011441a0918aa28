/// Valid (unpadded) k×k convolution with bias and optional fused ReLU, forward and backward,
/// on raw feature-map memory. The public, tensor-level form is `Convolution2D`.
///
///     out[co, y, x] = act(b[co] + Σ_{ci, ky, kx} W[co, ci, ky, kx] · in[ci, y + ky, x + kx])
///
/// Shapes: in Cin × H × W (possibly a concatenation of cropped views), out Cout × (H-k+1) ×
/// (W-k+1), W stored [Cout][Cin][k][k] (as PyTorch's Conv2d), b [Cout].
/// All three products are one packed GEMM each (or, for 3×3 kernels with even outputs, 16
/// smaller ones through Winograd's F(2×2, 3×3): `WinogradConvolution`, `WinogradWeightGradient`;
/// the forward and the input gradient may take F(4×4, 3×3) instead, 36 products, when
/// `winograd` / `inputGradientWinograd` say so):
/// - forward:        out = W · im2col(in)                           (m Cout, k Cin·k², n pixels)
/// - weight grad:    dW = dPre · im2col(in)ᵀ                        (m Cout, n Cin·k², k pixels)
/// - input grad:     dIn = flip(W)ᵀ · im2col(pad_{k-1}(dPre))       (m Cin, k Cout·k², n pixels)
/// where dPre is the gradient before the activation (`GradientMasking`).
enum ConvolutionKernel {
  static func forward(
    input: ChannelConcatenation, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    outputChannels: Int, kernel: Int, relu: Bool, output: UnsafeMutablePointer<Float>,
    packing: AlignedBuffer, winograd: WinogradVariant = .f2x2, context: GEMMContext
  ) {
    if WinogradConvolution.applies(
      kernel: kernel, inputChannels: input.channels, outputHeight: input.height - kernel + 1,
      outputWidth: input.width - kernel + 1)
    {
      let inputChannels = input.channels
      WinogradConvolution.run(
        input: input, outputChannels: outputChannels,
        filter: { co, ci in (weights + (co * inputChannels + ci) * 9, false) },
        into: RowsOutput(output, rowStride: (input.height - 2) * (input.width - 2), bias: bias, relu: relu),
        accumulate: false, variant: winograd, context: context)
      return
    }
    let columns = Im2ColOperand(input: input, kernel: kernel)
    let depth = columns.rows
    let a = PrepackedLeftOperand.pack(
      rows: outputChannels, depth: depth, from: weights, rowStride: depth, columnStride: 1,
      into: packing.reserve(PrepackedLeftOperand.storageCount(rows: outputChannels, depth: depth)))
    GEMM.multiply(
      m: outputChannels, n: columns.columns, k: depth, a: a, b: columns,
      into: RowsOutput(output, rowStride: columns.columns, bias: bias, relu: relu),
      context: context)
  }

  /// - Parameters:
  ///   - output: the forward output after ReLU (for its mask); nil when `relu` was false.
  ///   - outputGradient: dOut, Cout × Ho × Wo.
  ///   - gradientScale: inverted-dropout scale applied to the output, else 1.
  ///   - inputGradient: where dIn goes (rows = input channels, dense planes H × W), or nil
  ///     when the input needs no gradient (the network's first layer).
  ///   - weightGradient, biasGradient: overwritten.
  static func backward(
    input: ChannelConcatenation, output: UnsafePointer<Float>?,
    outputGradient: UnsafePointer<Float>, gradientScale: Float, weights: UnsafePointer<Float>,
    outputChannels: Int, kernel: Int, weightGradient: UnsafeMutablePointer<Float>,
    biasGradient: UnsafeMutablePointer<Float>, inputGradient: RowsOutput?,
    accumulateInputGradient: Bool = false, inputGradientWinograd: WinogradVariant = .f2x2,
    padded: AlignedBuffer, packing: AlignedBuffer, context: GEMMContext
  ) {
    let pad = kernel - 1
    let outHeight = input.height - pad
    let outWidth = input.width - pad
    let paddedHeight = outHeight + 2 * pad
    let paddedWidth = outWidth + 2 * pad
    let paddedBase = padded.reserve(outputChannels * paddedHeight * paddedWidth)
    GradientMasking.run(
      outputGradient: outputGradient, output: output, channels: outputChannels,
      height: outHeight, width: outWidth, scale: gradientScale, pad: pad,
      destination: paddedBase, biasGradient: biasGradient, parallel: context.parallel)

    // dW = dPre · im2col(in)ᵀ
    let preActivation = FeatureMapView(
      base: paddedBase + pad * paddedWidth + pad, channels: outputChannels, height: outHeight,
      width: outWidth, rowStride: paddedWidth, channelStride: paddedHeight * paddedWidth)
    if WinogradConvolution.applies(
      kernel: kernel, inputChannels: input.channels, outputHeight: outHeight, outputWidth: outWidth)
    {
      WinogradWeightGradient.run(
        input: input, outputGradient: preActivation, into: weightGradient, context: context)
    } else {
      let columns = Im2ColOperand(input: input, kernel: kernel)
      GEMM.multiply(
        m: outputChannels, n: columns.rows, k: outHeight * outWidth,
        a: FeatureMapRowsOperand(map: preActivation),
        b: TransposedIm2ColOperand(columnMatrix: columns),
        into: RowsOutput(weightGradient, rowStride: columns.rows), context: context)
    }

    // dIn = flip(W)ᵀ · im2col(pad(dPre)): a valid convolution of the zero-bordered gradient.
    guard let inputGradient else { return }
    let inputChannels = input.channels
    let paddedMap = FeatureMapView(
      base: paddedBase, channels: outputChannels, height: paddedHeight, width: paddedWidth)
    if WinogradConvolution.applies(
      kernel: kernel, inputChannels: outputChannels, outputHeight: input.height, outputWidth: input.width)
    {
      // The rotated filters, transposed: output = input channel ci, depth = output channel co.
      WinogradConvolution.run(
        input: ChannelConcatenation([paddedMap]), outputChannels: inputChannels,
        filter: { ci, co in (weights + (co * inputChannels + ci) * 9, true) },
        into: inputGradient, accumulate: accumulateInputGradient,
        variant: accumulateInputGradient ? .f2x2 : inputGradientWinograd, context: context)
      return
    }
    let k2 = kernel * kernel
    let depth = outputChannels * k2
    let a = PrepackedLeftOperand.pack(
      rows: inputChannels, depth: depth,
      into: packing.reserve(PrepackedLeftOperand.storageCount(rows: inputChannels, depth: depth))
    ) { ci, q in
      let co = q / k2
      let flipped = k2 - 1 - (q - co * k2)
      return weights[(co * inputChannels + ci) * k2 + flipped]
    }
    GEMM.multiply(
      m: inputChannels, n: input.height * input.width, k: depth, a: a,
      b: Im2ColOperand(input: ChannelConcatenation([paddedMap]), kernel: kernel),
      into: inputGradient, accumulate: accumulateInputGradient, context: context)
  }
}
