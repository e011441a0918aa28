import NeuralCore

/// The resident memory one training step needs, to honour `train`'s `config.memory_mb`.
///
/// Backpropagation keeps every activation of the tile and its gradient: per level l (channels
/// c·2^l, edge about input/2^l) about six feature maps' worth, summed over the levels. The
/// parameters cost 16 bytes each (weights, gradients, two optimiser moments), plus a fixed
/// 32 MiB for the process. Calibrated with `unet-bench --mode train`: base 64 / depth 4 / 572
/// predicts 1.40 GiB (measured peak 1.37 GiB), base 16 predicts 0.29 GiB (measured 0.29 GiB).
enum TrainingMemory {
  static func estimatedBytes(configuration: UNetConfiguration, inputSize: Int, parameterCount: Int) -> Int {
    var activations = 0
    for level in 0...configuration.depth {
      let edge = inputSize >> level
      let channels = configuration.baseChannels << level
      activations += channels * edge * edge * 4
    }
    return 6 * activations + 16 * parameterCount + (32 << 20)
  }

  /// The largest legal output tile ≤ `requested` whose training step fits `budgetBytes`, or nil
  /// when not even the smallest legal tile fits.
  static func largestFittingOutputSize(
    requested: Int, configuration: UNetConfiguration, parameterCount: Int, budgetBytes: Int
  ) -> (output: Int, input: Int)? {
    let geometry = UNetGeometry(depth: configuration.depth)
    var limit = max(requested, geometry.minimumOutputSize)
    while let output = geometry.largestLegalOutputSize(atMost: limit), let input = geometry.inputSize(forOutputSize: output) {
      let bytes = estimatedBytes(configuration: configuration, inputSize: input, parameterCount: parameterCount)
      if bytes <= budgetBytes { return (output, input) }
      limit = output - 1
    }
    return nil
  }
}
