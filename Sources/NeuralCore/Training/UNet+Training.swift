extension UNet {
  /// The loss and dLoss/dParameters of one tile: forward pass (with dropout drawn from
  /// `rng` when the configuration has it), weighted softmax cross-entropy against `targets`
  /// (class per output pixel, row-major out × out) and `weights` (per output pixel, 0 =
  /// ignore), backward pass. The gradient is laid out like `parameters`.
  public func lossAndGradient(
    input: Tensor, targets: [Int32], weights: [Float], rng: inout RandomSource,
    normalization: SoftmaxCrossEntropy.Normalization = .pixelCount, workspace: UNetWorkspace
  ) -> (loss: Float, gradient: [Float]) {
    let loss = computeGradient(
      input: input, targets: targets, weights: weights, rng: &rng, normalization: normalization,
      workspace: workspace)
    return (loss, workspace.parameterGradient.array(count: parameterCount))
  }

  /// One training iteration on one tile: `lossAndGradient`, then `optimizer`'s update of the
  /// parameters. Returns the loss before the update. Allocates a workspace for this call; in
  /// a training loop use the `workspace:` form, which reuses all buffers.
  @discardableResult
  public mutating func trainingStep(
    input: Tensor, targets: [Int32], weights: [Float], optimizer: inout Optimizer,
    rng: inout RandomSource, normalization: SoftmaxCrossEntropy.Normalization = .pixelCount,
    parallel: Parallel
  ) -> Float {
    trainingStep(
      input: input, targets: targets, weights: weights, optimizer: &optimizer, rng: &rng,
      normalization: normalization, workspace: UNetWorkspace(parallel: parallel))
  }

  /// One training iteration computed in `workspace` (its thread count is used).
  @discardableResult
  public mutating func trainingStep(
    input: Tensor, targets: [Int32], weights: [Float], optimizer: inout Optimizer,
    rng: inout RandomSource, normalization: SoftmaxCrossEntropy.Normalization = .pixelCount,
    workspace: UNetWorkspace
  ) -> Float {
    let loss = computeGradient(
      input: input, targets: targets, weights: weights, rng: &rng, normalization: normalization,
      workspace: workspace)
    let count = parameterCount
    let gradient = workspace.parameterGradient.pointer
    withMutableParameters { p in
      workspace.measure("optimizer", kind: "optimizer", phase: "backward") {
        optimizer.update(parameters: p, gradient: gradient, count: count, parallel: workspace.parallel)
      }
    }
    return loss
  }

  /// Forward, loss and backward; leaves the gradient in `workspace.parameterGradient`.
  private func computeGradient(
    input: Tensor, targets: [Int32], weights: [Float], rng: inout RandomSource,
    normalization: SoftmaxCrossEntropy.Normalization, workspace: UNetWorkspace
  ) -> Float {
    var pass = UNetPass(network: self, input: input, workspace: workspace, training: true)
    let pixels = pass.outputSize * pass.outputSize
    precondition(
      targets.count == pixels && weights.count == pixels,
      "UNet training: \(targets.count) targets and \(weights.count) weights for \(pass.outputSize)×\(pass.outputSize) output pixels")
    let gradient = workspace.parameterGradient.reserve(parameterCount)
    return parameters.withUnsafeBufferPointer { p in
      let parameters = Pointers.base(p)
      withUnsafeMutablePointer(to: &rng) { rng in
        pass.forward(parameters: parameters, dropout: rng)
      }
      let logitsGradient = pass.logitsGradientBuffer()
      var loss = 0.0
      workspace.measure("loss", kind: "loss", phase: "backward") {
        loss = targets.withUnsafeBufferPointer { t in
          weights.withUnsafeBufferPointer { w in
            SoftmaxCrossEntropy.run(
              logits: pass.logits, classes: configuration.classes, pixels: pixels, targets: t,
              weights: w, normalization: normalization, gradient: logitsGradient)
          }
        }
      }
      pass.backward(parameters: parameters, gradient: gradient)
      return Float(loss)
    }
  }
}
