/// The paper's 2×2 up-convolution (stride-2 transposed convolution) with bias, on tensors.
/// The U-Net runs the same kernels (`UpConvolutionKernel`) on its workspace.
///
///     out[co, 2y + dy, 2x + dx] = act(b[co] + Σ_ci W[ci, co, dy, dx] · in[ci, y, x])
///
/// Shapes: input Cin × h × w → output Cout × 2h × 2w; `weights` [Cin][Cout][2][2] row-major
/// (PyTorch's ConvTranspose2d layout), `bias` [Cout].
public struct UpConvolution2D: Sendable, Equatable {
  public let inputChannels: Int
  public let outputChannels: Int
  public var weights: [Float]
  public var bias: [Float]

  public init(inputChannels: Int, outputChannels: Int, weights: [Float], bias: [Float]) {
    precondition(
      inputChannels > 0 && outputChannels > 0,
      "UpConvolution2D: channels \(inputChannels)→\(outputChannels) must be positive")
    precondition(
      weights.count == inputChannels * outputChannels * 4,
      "UpConvolution2D: \(weights.count) weights, need \(inputChannels)×\(outputChannels)×2×2")
    precondition(bias.count == outputChannels, "UpConvolution2D: \(bias.count) biases, need \(outputChannels)")
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.weights = weights
    self.bias = bias
  }

  public struct Gradients: Sendable {
    public var input: Tensor
    public var weights: [Float]
    public var bias: [Float]
  }

  public func forward(_ input: Tensor, relu: Bool = false, parallel: Parallel) -> Tensor {
    precondition(
      input.channels == inputChannels,
      "UpConvolution2D: input has \(input.channels) channels, need \(inputChannels)")
    let outShape = Shape(channels: outputChannels, height: 2 * input.height, width: 2 * input.width)
    let staged = StagedTensor(input)
    let w = AlignedBuffer(copying: weights)
    let b = AlignedBuffer(copying: bias)
    let output = AlignedBuffer(capacity: outShape.count)
    withExtendedLifetime((staged, w, b, output)) {
    UpConvolutionKernel.forward(
      input: staged.view, weights: w.pointer, bias: b.pointer, outputChannels: outputChannels,
      relu: relu, output: output.pointer, packing: AlignedBuffer(),
      context: GEMMContext(parallel: parallel))
    }
    return output.tensor(outShape)
  }

  /// `output` is the forward result (for the ReLU mask when `relu`).
  public func backward(
    input: Tensor, output: Tensor, outputGradient: Tensor, relu: Bool = false, parallel: Parallel
  ) -> Gradients {
    let outShape = Shape(channels: outputChannels, height: 2 * input.height, width: 2 * input.width)
    precondition(
      input.channels == inputChannels && output.shape == outShape && outputGradient.shape == outShape,
      "UpConvolution2D.backward: shapes \(input.shape), \(output.shape), \(outputGradient.shape) do not fit \(inputChannels)→\(outputChannels)")
    let staged = StagedTensor(input)
    let w = AlignedBuffer(copying: weights)
    let out = AlignedBuffer(copying: output.storage)
    let g = AlignedBuffer(copying: outputGradient.storage)
    let dw = AlignedBuffer(capacity: weights.count)
    let db = AlignedBuffer(capacity: outputChannels)
    let dIn = AlignedBuffer(capacity: input.shape.count)
    withExtendedLifetime((staged, w, out, g, dw, db, dIn)) {
    UpConvolutionKernel.backward(
      input: staged.view, output: relu ? UnsafePointer(out.pointer) : nil,
      outputGradient: g.pointer, weights: w.pointer, outputChannels: outputChannels,
      weightGradient: dw.pointer, biasGradient: db.pointer, inputGradient: dIn.pointer,
      masked: AlignedBuffer(), packing: AlignedBuffer(), context: GEMMContext(parallel: parallel))
    }
    return Gradients(
      input: dIn.tensor(input.shape), weights: dw.array(count: weights.count),
      bias: db.array(count: outputChannels))
  }
}
