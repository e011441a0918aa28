import NeuralCore

/// The resident memory one training step needs, to honour `train`'s `config.memory_mb`.
///
/// `UNetMemoryModel.trainingStepBytes`: the training workspace as the pass allocates it
/// (every activation, the activation and skip gradients, the padded gradient, the Winograd
/// and GEMM buffers for the worker's threads, the parameter gradient), the parameters, the
/// optimiser's buffers (SGD: velocity; Adam: two moments), one sample and a fixed 32 MiB for
/// the process. The workspace part equals `UNetWorkspace.allocatedBytes` after a step.
enum TrainingMemory {
  static func estimatedBytes(
    configuration: UNetConfiguration, inputSize: Int, threads: Int, optimizer: TrainingConfiguration.OptimizerKind
  ) -> Int? {
    UNetMemoryModel(configuration: configuration, threads: threads)
      .trainingStepBytes(inputSize: inputSize, optimizerBuffers: optimizer == .sgd ? 1 : 2)
  }

  /// The largest legal output tile ≤ `requested` whose training step fits `budgetBytes`, or nil
  /// when not even the smallest legal tile fits.
  static func largestFittingOutputSize(
    requested: Int, configuration: UNetConfiguration, threads: Int,
    optimizer: TrainingConfiguration.OptimizerKind, budgetBytes: Int
  ) -> (output: Int, input: Int)? {
    let geometry = UNetGeometry(depth: configuration.depth)
    var limit = max(requested, geometry.minimumOutputSize)
    while let output = geometry.largestLegalOutputSize(atMost: limit), let input = geometry.inputSize(forOutputSize: output) {
      let bytes = estimatedBytes(configuration: configuration, inputSize: input, threads: threads, optimizer: optimizer)
      if let bytes, bytes <= budgetBytes { return (output, input) }
      limit = output - 1
    }
    return nil
  }
}
