/// A valid (unpadded) k×k convolution with bias, the U-Net's 3×3 and final 1×1 layers, on
/// tensors. Used by tests and by callers that want a single layer; the U-Net itself runs the
/// same kernels (`ConvolutionKernel`) on its workspace buffers.
///
///     out[co, y, x] = act(b[co] + Σ_{ci, ky, kx} W[co, ci, ky, kx] · in[ci, y + ky, x + kx])
///
/// Shapes: input Cin × H × W → output Cout × (H − k + 1) × (W − k + 1); `weights` is
/// [Cout][Cin][k][k] row-major, `bias` [Cout]. With several inputs the convolution reads their
/// channel concatenation after centre-cropping each to the smallest height and width: the
/// paper's crop-and-concatenate of the skip path (`[skip, upsampled]`).
public struct Convolution2D: Sendable, Equatable {
  public let inputChannels: Int
  public let outputChannels: Int
  public let kernelSize: Int
  public var weights: [Float]
  public var bias: [Float]

  public init(
    inputChannels: Int, outputChannels: Int, kernelSize: Int, weights: [Float], bias: [Float]
  ) {
    precondition(
      inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
      "Convolution2D: extents \(inputChannels)→\(outputChannels), k \(kernelSize) must be positive")
    precondition(
      weights.count == outputChannels * inputChannels * kernelSize * kernelSize,
      "Convolution2D: \(weights.count) weights, need \(outputChannels)×\(inputChannels)×\(kernelSize)×\(kernelSize)")
    precondition(bias.count == outputChannels, "Convolution2D: \(bias.count) biases, need \(outputChannels)")
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.weights = weights
    self.bias = bias
  }

  /// The gradients of one backward pass.
  public struct Gradients: Sendable {
    /// One per input, each of that input's full shape (zero outside its crop).
    public var inputs: [Tensor]
    public var weights: [Float]
    public var bias: [Float]
  }

  /// The forward pass; `relu` applies max(0, ·) to the result. A 3×3 layer with at least 16
  /// inputs and an even output runs Winograd's `winograd` algorithm.
  public func forward(
    _ inputs: [Tensor], relu: Bool = false, winograd: WinogradVariant = .f2x2, parallel: Parallel
  ) -> Tensor {
    let (height, width) = cropSize(inputs)
    let outShape = Shape(
      channels: outputChannels, height: height - kernelSize + 1, width: width - kernelSize + 1)
    let staged = inputs.map(StagedTensor.init)
    let w = AlignedBuffer(copying: weights)
    let b = AlignedBuffer(copying: bias)
    let output = AlignedBuffer(capacity: outShape.count)
    withExtendedLifetime((staged, w, b, output)) {
    ConvolutionKernel.forward(
      input: ChannelConcatenation(staged.map { $0.view.centreCropped(height: height, width: width) }),
      weights: w.pointer, bias: b.pointer, outputChannels: outputChannels, kernel: kernelSize,
      relu: relu, output: output.pointer, packing: AlignedBuffer(), winograd: winograd,
      context: GEMMContext(parallel: parallel))
    }
    return output.tensor(outShape)
  }

  /// The backward pass. `output` is the forward result (needed for the ReLU mask when `relu`);
  /// `gradientScale` multiplies the output gradient (inverted dropout), default 1. `winograd`
  /// is the algorithm of the input gradient (a valid 3×3 convolution of the zero-bordered
  /// gradient with the rotated filters) when it takes the Winograd path.
  public func backward(
    inputs: [Tensor], output: Tensor, outputGradient: Tensor, relu: Bool = false,
    gradientScale: Float = 1, winograd: WinogradVariant = .f2x2, parallel: Parallel
  ) -> Gradients {
    let (height, width) = cropSize(inputs)
    let outShape = Shape(
      channels: outputChannels, height: height - kernelSize + 1, width: width - kernelSize + 1)
    precondition(output.shape == outShape, "Convolution2D.backward: output \(output.shape) ≠ \(outShape)")
    precondition(
      outputGradient.shape == outShape,
      "Convolution2D.backward: output gradient \(outputGradient.shape) ≠ \(outShape)")
    let staged = inputs.map(StagedTensor.init)
    let w = AlignedBuffer(copying: weights)
    let out = AlignedBuffer(copying: output.storage)
    let g = AlignedBuffer(copying: outputGradient.storage)
    let dw = AlignedBuffer(capacity: weights.count)
    let db = AlignedBuffer(capacity: outputChannels)
    // The input gradient of the concatenation: one dense cropped block for all inputs.
    let croppedShape = Shape(channels: inputChannels, height: height, width: width)
    let dIn = AlignedBuffer(capacity: croppedShape.count)
    withExtendedLifetime((staged, w, out, g, dw, db, dIn)) {
    ConvolutionKernel.backward(
      input: ChannelConcatenation(staged.map { $0.view.centreCropped(height: height, width: width) }),
      output: relu ? UnsafePointer(out.pointer) : nil, outputGradient: g.pointer,
      gradientScale: gradientScale, weights: w.pointer, outputChannels: outputChannels,
      kernel: kernelSize, weightGradient: dw.pointer, biasGradient: db.pointer,
      inputGradient: RowsOutput(dIn.pointer, rowStride: height * width), inputGradientWinograd: winograd,
      padded: AlignedBuffer(),
      packing: AlignedBuffer(), context: GEMMContext(parallel: parallel))
    }
    let cropped = dIn.tensor(croppedShape)
    var inputGradients: [Tensor] = []
    var channel = 0
    for input in inputs {
      let part = cropped.channels(channel..<(channel + input.channels))
      inputGradients.append(part.embeddedInCentre(of: input.shape))
      channel += input.channels
    }
    return Gradients(
      inputs: inputGradients, weights: dw.array(count: weights.count),
      bias: db.array(count: outputChannels))
  }

  private func cropSize(_ inputs: [Tensor]) -> (Int, Int) {
    precondition(!inputs.isEmpty, "Convolution2D: no input")
    let channels = inputs.reduce(0) { $0 + $1.channels }
    precondition(
      channels == inputChannels, "Convolution2D: inputs have \(channels) channels, need \(inputChannels)")
    let height = inputs.map(\.height).min() ?? 0
    let width = inputs.map(\.width).min() ?? 0
    precondition(
      height >= kernelSize && width >= kernelSize,
      "Convolution2D: input \(height)×\(width) smaller than the \(kernelSize)×\(kernelSize) kernel")
    return (height, width)
  }
}
