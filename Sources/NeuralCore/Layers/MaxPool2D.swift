/// 2×2 max-pooling with stride 2 on tensors (the U-Net runs `MaxPoolKernel` on its
/// workspace). Input C × H × W with H and W even → output C × H/2 × W/2.
public enum MaxPool2D {
  public static func forward(_ input: Tensor, parallel: Parallel) -> Tensor {
    precondition(
      input.height % 2 == 0 && input.width % 2 == 0,
      "MaxPool2D: input \(input.shape) must have even height and width")
    let outShape = Shape(channels: input.channels, height: input.height / 2, width: input.width / 2)
    let staged = StagedTensor(input)
    let output = AlignedBuffer(capacity: outShape.count)
    withExtendedLifetime((staged, output)) {
    MaxPoolKernel.forward(
      input: staged.buffer.pointer, channels: input.channels, height: input.height,
      width: input.width, output: output.pointer, parallel: parallel)
    }
    return output.tensor(outShape)
  }

  /// Routes each output gradient to the first maximum of its 2×2 window (row-major order).
  public static func backward(input: Tensor, outputGradient: Tensor, parallel: Parallel) -> Tensor {
    let outShape = Shape(channels: input.channels, height: input.height / 2, width: input.width / 2)
    precondition(
      input.height % 2 == 0 && input.width % 2 == 0 && outputGradient.shape == outShape,
      "MaxPool2D.backward: input \(input.shape), output gradient \(outputGradient.shape)")
    let staged = StagedTensor(input)
    let g = AlignedBuffer(copying: outputGradient.storage)
    let dIn = AlignedBuffer(capacity: input.shape.count)
    withExtendedLifetime((staged, g, dIn)) {
    MaxPoolKernel.backward(
      input: staged.buffer.pointer, outputGradient: g.pointer, channels: input.channels,
      height: input.height, width: input.width, inputGradient: dIn.pointer, parallel: parallel)
    }
    return dIn.tensor(input.shape)
  }
}
