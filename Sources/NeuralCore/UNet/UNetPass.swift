/// One forward (and, in training, backward) pass of a `UNet` through a workspace.
///
/// The forward pass records every feature map in the workspace (training) or only the skip
/// maps (inference); the backward pass walks the same layers in reverse, alternating between
/// two activation-gradient buffers and writing each layer's parameter gradient into the
/// workspace's gradient vector. Crop-and-concatenate never copies: the decoder's first
/// convolution reads the centre crop of the skip map in place, and its input gradient is
/// split by rows into the skip's gradient and the up-convolution's.
struct UNetPass {
  let configuration: UNetConfiguration
  let layers: UNetParameterLayout.Layers
  let workspace: UNetWorkspace
  let training: Bool
  let inputSize: Int
  let outputSize: Int
  /// Whether the forward pass applied dropout (so the backward pass must scale).
  private(set) var droppedOut = false

  init(network: UNet, input: Tensor, workspace: UNetWorkspace, training: Bool) {
    let configuration = network.configuration
    precondition(
      input.channels == configuration.inputChannels && input.height == input.width,
      "UNet: input \(input.shape) must be \(configuration.inputChannels) square channels")
    guard let output = configuration.geometry.outputSize(forInputSize: input.height) else {
      preconditionFailure(
        "UNet: input size \(input.height) is not legal for depth \(configuration.depth)")
    }
    self.configuration = configuration
    self.layers = network.layout.layers
    self.workspace = workspace
    self.training = training
    self.inputSize = input.height
    self.outputSize = output
    let stored = workspace.buffer(for: .input, count: input.storage.count, training: training)
    input.storage.withUnsafeBufferPointer { source in
      stored.update(from: Pointers.base(source), count: source.count)
    }
  }

  private var depth: Int { configuration.depth }
  private var gemm: GEMMContext { workspace.gemm }
  private var parallel: Parallel { workspace.parallel }

  private func downSlot(_ level: Int, _ conv: Int) -> ActivationSlot { .down(level, conv, depth: depth) }
  private func levelInputSize(_ level: Int) -> Int {
    configuration.geometry.levelInputSize(level, inputSize: inputSize)
  }
  private func decoderOutputSize(_ level: Int) -> Int {
    configuration.geometry.decoderOutputSize(level, inputSize: inputSize)
  }

  private func view(_ slot: ActivationSlot, channels: Int, size: Int) -> FeatureMapView {
    FeatureMapView(base: workspace.existing(slot), channels: channels, height: size, width: size)
  }

  private func dropoutScale(level: Int) -> Float {
    droppedOut && level >= depth - 1 ? 1 / (1 - configuration.dropout) : 1
  }

  // MARK: Forward

  /// Runs the forward pass. `dropout` supplies the random draws when training with dropout.
  mutating func forward(parameters p: UnsafePointer<Float>, dropout: UnsafeMutablePointer<RandomSource>?) {
    var x = view(.input, channels: configuration.inputChannels, size: inputSize)
    for level in 0...depth {
      let (conv0, conv1) = layers.down[level]
      let c = conv0.outputChannels
      let s0 = x.height - 2
      let a0 = output(downSlot(level, 0), count: c * s0 * s0, notAliasing: x.base)
      convolution(conv0, input: [x], kernel: 3, relu: true, output: a0, parameters: p)
      let s1 = s0 - 2
      let a1 = output(downSlot(level, 1), count: c * s1 * s1, notAliasing: a0)
      convolution(
        conv1, input: [FeatureMapView(base: a0, channels: c, height: s0, width: s0)], kernel: 3,
        relu: true, output: a1, parameters: p)
      if let dropout, configuration.dropout > 0, level >= depth - 1 {
        workspace.measure("down\(level).dropout", kind: "dropout", phase: "forward") {
          Dropout.apply(
            a1, count: c * s1 * s1, probability: configuration.dropout, rng: &dropout.pointee)
        }
        droppedOut = true
      }
      if level < depth {
        let pooled = output(.pooled(level: level), count: c * s1 * s1 / 4, notAliasing: a1)
        workspace.measure("down\(level).pool", kind: "maxpool", phase: "forward") {
          MaxPoolKernel.forward(
            input: a1, channels: c, height: s1, width: s1, output: pooled, parallel: parallel)
        }
        x = FeatureMapView(base: pooled, channels: c, height: s1 / 2, width: s1 / 2)
      } else {
        x = FeatureMapView(base: a1, channels: c, height: s1, width: s1)
      }
    }
    for level in (0..<depth).reversed() {
      let layer = layers.up[level]
      let c = layer.upconv.outputChannels
      let u = 2 * x.height
      let upsampled = output(.upsampled(level: level), count: c * u * u, notAliasing: x.base)
      let upInput = x
      workspace.measure(
        layer.upconv.name, kind: "upconv2x2", phase: "forward",
        flops: UNetPass.upConvolutionFLOPs(layer.upconv, inputSize: x.height)
      ) {
        UpConvolutionKernel.forward(
          input: upInput, weights: p + layer.upconv.weights, bias: p + layer.upconv.bias,
          outputChannels: c, relu: true, output: upsampled, packing: workspace.packing,
          context: gemm)
      }
      let skip = view(downSlot(level, 1), channels: c, size: levelInputSize(level) - 4)
        .centreCropped(height: u, width: u)
      let upView = FeatureMapView(base: upsampled, channels: c, height: u, width: u)
      let c0 = output(.up(level: level, conv: 0), count: c * (u - 2) * (u - 2), notAliasing: upsampled)
      convolution(layer.conv0, input: [skip, upView], kernel: 3, relu: true, output: c0, parameters: p)
      let c1 = output(.up(level: level, conv: 1), count: c * (u - 4) * (u - 4), notAliasing: c0)
      convolution(
        layer.conv1, input: [FeatureMapView(base: c0, channels: c, height: u - 2, width: u - 2)],
        kernel: 3, relu: true, output: c1, parameters: p)
      x = FeatureMapView(base: c1, channels: c, height: u - 4, width: u - 4)
    }
    let classes = configuration.classes
    let logits = output(.logits, count: classes * outputSize * outputSize, notAliasing: x.base)
    convolution(layers.final, input: [x], kernel: 1, relu: false, output: logits, parameters: p)
  }

  private func output(
    _ slot: ActivationSlot, count: Int, notAliasing input: UnsafeMutablePointer<Float>
  ) -> UnsafeMutablePointer<Float> {
    workspace.buffer(for: slot, count: count, training: training, notAliasing: input)
  }

  private func convolution(
    _ layer: UNetParameterLayout.Layer, input: [FeatureMapView], kernel: Int, relu: Bool,
    output: UnsafeMutablePointer<Float>, parameters p: UnsafePointer<Float>
  ) {
    let concatenation = ChannelConcatenation(input)
    let flops = UNetPass.convolutionFLOPs(layer, kernel: kernel, outputSize: concatenation.height - kernel + 1)
    let outputSize = concatenation.height - kernel + 1
    let winograd = WinogradConvolution.variant(
      workspace.forwardWinograd, outputHeight: outputSize, outputWidth: outputSize)
    workspace.measure(layer.name, kind: "conv\(kernel)x\(kernel)", phase: "forward", flops: flops) {
      ConvolutionKernel.forward(
        input: concatenation, weights: p + layer.weights, bias: p + layer.bias,
        outputChannels: layer.outputChannels, kernel: kernel, relu: relu, output: output,
        packing: workspace.packing, winograd: winograd, context: gemm)
    }
  }

  /// 2 × multiply-adds of one product of a k×k convolution (forward, dW or dIn alike).
  static func convolutionFLOPs(_ layer: UNetParameterLayout.Layer, kernel: Int, outputSize: Int) -> Int {
    2 * layer.outputChannels * layer.inputChannels * kernel * kernel * outputSize * outputSize
  }

  /// 2 × multiply-adds of one product of an up-convolution with input edge `size`.
  static func upConvolutionFLOPs(_ layer: UNetParameterLayout.Layer, inputSize size: Int) -> Int {
    2 * 4 * layer.outputChannels * layer.inputChannels * size * size
  }

  /// The logits of the last forward pass as a tensor.
  func logitsTensor() -> Tensor {
    let shape = Shape(channels: configuration.classes, height: outputSize, width: outputSize)
    return Tensor(
      shape: shape,
      storage: Array(UnsafeBufferPointer(start: workspace.existing(.logits), count: shape.count)))
  }

  var logits: UnsafeMutablePointer<Float> { workspace.existing(.logits) }

  // MARK: Backward

  /// Room for the largest activation gradient, in both ping-pong buffers. Reserved once
  /// before the backward pass so that no buffer moves while it holds a gradient.
  private func largestActivation() -> Int {
    var largest = configuration.classes * outputSize * outputSize
    for level in 0...depth {
      let s = levelInputSize(level) - 2
      largest = Swift.max(largest, configuration.channels(atLevel: level) * s * s)
    }
    for level in 0..<depth {
      let u = 2 * decoderOutputSize(level + 1)
      largest = Swift.max(largest, configuration.channels(atLevel: level) * u * u)
    }
    return largest
  }

  /// The gradient buffer that the loss's dLogits must be written to before `backward`.
  func logitsGradientBuffer() -> UnsafeMutablePointer<Float> {
    let largest = largestActivation()
    workspace.gradients[1].reserve(largest)
    return workspace.gradients[0].reserve(largest)
  }

  /// Back-propagates the dLogits held in `logitsGradientBuffer()` and writes dLoss/dθ into
  /// `gradient` (laid out like the parameters).
  func backward(parameters p: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
    let g = [workspace.gradients[0].pointer, workspace.gradients[1].pointer]
    var current = 0
    func conv(
      _ layer: UNetParameterLayout.Layer, input: [FeatureMapView], output: ActivationSlot?,
      kernel: Int = 3, scale: Float = 1, inputGradient: RowsOutput?
    ) {
      let concatenation = ChannelConcatenation(input)
      let products = inputGradient == nil ? 1 : 2
      let flops = products * UNetPass.convolutionFLOPs(
        layer, kernel: kernel, outputSize: concatenation.height - kernel + 1)
      let outputGradient = g[current]
      workspace.measure(layer.name, kind: "conv\(kernel)x\(kernel)", phase: "backward", flops: flops) {
        ConvolutionKernel.backward(
          input: concatenation, output: output.map { UnsafePointer(workspace.existing($0)) },
          outputGradient: outputGradient, gradientScale: scale, weights: p + layer.weights,
          outputChannels: layer.outputChannels, kernel: kernel,
          weightGradient: gradient + layer.weights, biasGradient: gradient + layer.bias,
          inputGradient: inputGradient,
          inputGradientWinograd: WinogradConvolution.variant(
            workspace.forwardWinograd, outputHeight: concatenation.height, outputWidth: concatenation.width),
          padded: workspace.padded, packing: workspace.packing, context: gemm)
      }
      current = 1 - current
    }
    func dense(_ size: Int) -> RowsOutput { RowsOutput(g[1 - current], rowStride: size * size) }

    // Final 1×1 layer (no activation).
    let o = outputSize
    let c0 = configuration.channels(atLevel: 0)
    conv(
      layers.final, input: [view(.up(level: 0, conv: 1), channels: c0, size: o)], output: nil,
      kernel: 1, inputGradient: dense(o))

    // Expansive path, from the top level down.
    for level in 0..<depth {
      let layer = layers.up[level]
      let c = layer.upconv.outputChannels
      let u = 2 * decoderOutputSize(level + 1)
      conv(
        layer.conv1, input: [view(.up(level: level, conv: 0), channels: c, size: u - 2)],
        output: .up(level: level, conv: 1), inputGradient: dense(u - 2))
      let skip = view(downSlot(level, 1), channels: c, size: levelInputSize(level) - 4)
        .centreCropped(height: u, width: u)
      let skipGradient = workspace.skipGradient(level: level, count: c * u * u)
      conv(
        layer.conv0, input: [skip, view(.upsampled(level: level), channels: c, size: u)],
        output: .up(level: level, conv: 0),
        inputGradient: RowsOutput(first: skipGradient, split: c, second: g[1 - current], rowStride: u * u))
      let below: ActivationSlot = level + 1 < depth ? .up(level: level + 1, conv: 1) : downSlot(depth, 1)
      let cin = layer.upconv.inputChannels
      let (outputGradient, inputGradient) = (g[current], g[1 - current])
      workspace.measure(
        layer.upconv.name, kind: "upconv2x2", phase: "backward",
        flops: 2 * UNetPass.upConvolutionFLOPs(layer.upconv, inputSize: u / 2)
      ) {
        UpConvolutionKernel.backward(
          input: view(below, channels: cin, size: u / 2),
          output: workspace.existing(.upsampled(level: level)), outputGradient: outputGradient,
          weights: p + layer.upconv.weights, outputChannels: c,
          weightGradient: gradient + layer.upconv.weights,
          biasGradient: gradient + layer.upconv.bias, inputGradient: inputGradient,
          masked: workspace.padded, packing: workspace.packing, context: gemm)
      }
      current = 1 - current
    }

    // Contracting path, from the bottom up.
    for level in stride(from: depth, through: 0, by: -1) {
      let (conv0, conv1) = layers.down[level]
      let c = conv0.outputChannels
      let s0 = levelInputSize(level) - 2
      let s1 = s0 - 2
      if level < depth {
        // Max-pool backward, then the skip path's share of the gradient.
        let (outputGradient, inputGradient) = (g[current], g[1 - current])
        let u = 2 * decoderOutputSize(level + 1)
        workspace.measure("down\(level).pool", kind: "maxpool", phase: "backward") {
          MaxPoolKernel.backward(
            input: workspace.existing(downSlot(level, 1)), outputGradient: outputGradient,
            channels: c, height: s1, width: s1, inputGradient: inputGradient, parallel: parallel)
          addSkipGradient(
            workspace.skipGradient(level: level, count: c * u * u), size: u, into: inputGradient,
            channels: c, size: s1)
        }
        current = 1 - current
      }
      conv(
        conv1, input: [view(downSlot(level, 0), channels: c, size: s0)], output: downSlot(level, 1),
        scale: dropoutScale(level: level), inputGradient: dense(s0))
      let input: FeatureMapView =
        level == 0
        ? view(.input, channels: configuration.inputChannels, size: inputSize)
        : view(.pooled(level: level - 1), channels: conv0.inputChannels, size: s0 + 2)
      conv(
        conv0, input: [input], output: downSlot(level, 0),
        inputGradient: level == 0 ? nil : dense(s0 + 2))
    }
  }

  /// Adds the centred `size`-edge skip gradient into the `outer`-edge gradient of the
  /// contracting map it was cropped from.
  private func addSkipGradient(
    _ skip: UnsafePointer<Float>, size: Int, into map: UnsafeMutablePointer<Float>, channels: Int,
    size outer: Int
  ) {
    let margin = (outer - size) / 2
    parallel.forEachRange(count: channels) { range in
      for c in range {
        for y in 0..<size {
          let source = skip + (c * size + y) * size
          let destination = map + (c * outer + y + margin) * outer + margin
          var x = 0
          while x + 8 <= size {
            MicroKernel.store(MicroKernel.load(destination + x) + MicroKernel.load(source + x), destination + x)
            x += 8
          }
          while x < size {
            destination[x] += source[x]
            x += 1
          }
        }
      }
    }
  }
}
