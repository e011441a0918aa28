import NeuralCore
import Testing

/// `UNetMemoryModel` against what real passes allocate in fresh workspaces: never more than
/// 2 % below, never more than 15 % above (the replay is meant to be exact).
@Suite struct UNetMemoryModelTests {
  struct Case: CustomStringConvertible, Sendable {
    let base: Int
    let depth: Int
    let inputChannels: Int
    let classes: Int
    let threads: Int
    /// Output sizes, as indices into the legal sizes (0 = the smallest).
    let outputs: [Int]

    var configuration: UNetConfiguration {
      UNetConfiguration(inputChannels: inputChannels, classes: classes, baseChannels: base, depth: depth)
    }
    var description: String { "base \(base) depth \(depth) in \(inputChannels) classes \(classes) threads \(threads)" }

    func inputSizes() -> [Int] {
      let geometry = configuration.geometry
      let legal = geometry.legalOutputSizes(in: 1...400)
      return outputs.compactMap { $0 < legal.count ? geometry.inputSize(forOutputSize: legal[$0]) : nil }
    }
  }

  static let cases: [Case] = [
    Case(base: 4, depth: 2, inputChannels: 1, classes: 2, threads: 1, outputs: [0, 3, 12]),
    Case(base: 8, depth: 2, inputChannels: 3, classes: 3, threads: 2, outputs: [0, 5, 20]),
    Case(base: 8, depth: 3, inputChannels: 1, classes: 2, threads: 1, outputs: [0, 4, 10]),
    Case(base: 4, depth: 4, inputChannels: 3, classes: 2, threads: 2, outputs: [0, 2]),
    Case(base: 8, depth: 4, inputChannels: 1, classes: 3, threads: 2, outputs: [1, 3]),
    // Enough channels and pixels for every Winograd path: F(4×4), whole strips per thread,
    // the weight gradient's groups.
    Case(base: 16, depth: 2, inputChannels: 1, classes: 2, threads: 2, outputs: [60]),
    Case(base: 16, depth: 3, inputChannels: 3, classes: 2, threads: 1, outputs: [25]),
  ]

  static func check(_ predicted: Int, _ allocated: Int, _ label: String) {
    let ratio = Double(predicted) / Double(allocated)
    print("memory model: \(label): predicted \(predicted) allocated \(allocated) ratio \(ratio)")
    #expect(ratio >= 0.98 && ratio <= 1.15, "\(label): predicted \(predicted), allocated \(allocated)")
  }

  static func input(_ configuration: UNetConfiguration, size: Int, rng: inout RandomSource) -> Tensor {
    var tensor = Tensor(channels: configuration.inputChannels, height: size, width: size)
    for i in tensor.storage.indices { tensor.storage[i] = rng.nextGaussian() }
    return tensor
  }

  @Test(arguments: cases) func inferenceMatchesTheWorkspace(_ c: Case) {
    var rng = RandomSource(seed: 5)
    let network = UNet(configuration: c.configuration, rng: &rng)
    let model = UNetMemoryModel(configuration: c.configuration, threads: c.threads)
    for size in c.inputSizes() {
      let workspace = UNetWorkspace(parallel: Parallel(threads: c.threads))
      _ = network.probabilities(Self.input(c.configuration, size: size, rng: &rng), workspace: workspace)
      guard let predicted = model.workspaceBytes(inputSize: size, training: false) else {
        Issue.record("\(c): no prediction for input \(size)")
        continue
      }
      Self.check(predicted, workspace.allocatedBytes, "inference \(c) input \(size)")
    }
  }

  @Test(arguments: cases) func trainingMatchesTheWorkspace(_ c: Case) {
    var rng = RandomSource(seed: 6)
    var network = UNet(configuration: c.configuration, rng: &rng)
    let model = UNetMemoryModel(configuration: c.configuration, threads: c.threads)
    for size in c.inputSizes() {
      guard let output = c.configuration.geometry.outputSize(forInputSize: size),
        let predicted = model.workspaceBytes(inputSize: size, training: true)
      else {
        Issue.record("\(c): no prediction for input \(size)")
        continue
      }
      let workspace = UNetWorkspace(parallel: Parallel(threads: c.threads))
      var optimizer = Optimizer.adam()
      let pixels = output * output
      let targets = (0..<pixels).map { Int32($0 % c.classes) }
      network.trainingStep(
        input: Self.input(c.configuration, size: size, rng: &rng), targets: targets,
        weights: [Float](repeating: 1, count: pixels), optimizer: &optimizer, rng: &rng, workspace: workspace)
      Self.check(predicted, workspace.allocatedBytes, "training \(c) input \(size)")
    }
  }

  @Test func dropoutAndF2x2AreReplayedToo() {
    var rng = RandomSource(seed: 7)
    let configuration = UNetConfiguration(inputChannels: 1, baseChannels: 16, depth: 2, dropout: 0.5)
    var network = UNet(configuration: configuration, rng: &rng)
    let size = configuration.geometry.inputSize(forOutputSize: 132) ?? 0
    let inference = UNetWorkspace(parallel: Parallel(threads: 1))
    inference.forwardWinograd = .f2x2
    _ = network.forward(Self.input(configuration, size: size, rng: &rng), workspace: inference)
    let f2x2 = UNetMemoryModel(configuration: configuration, threads: 1, forwardWinograd: .f2x2)
    Self.check(f2x2.workspaceBytes(inputSize: size, training: false) ?? 0, inference.allocatedBytes, "F(2x2) inference")
    let training = UNetWorkspace(parallel: Parallel(threads: 1))
    var optimizer = Optimizer.sgd(learningRate: 0.01)
    network.trainingStep(
      input: Self.input(configuration, size: size, rng: &rng), targets: [Int32](repeating: 1, count: 132 * 132),
      weights: [Float](repeating: 1, count: 132 * 132), optimizer: &optimizer, rng: &rng, workspace: training)
    let model = UNetMemoryModel(configuration: configuration, threads: 1)
    Self.check(model.workspaceBytes(inputSize: size, training: true) ?? 0, training.allocatedBytes, "dropout training")
  }

  @Test func growsWithTheTileAndRejectsIllegalSizes() {
    for configuration in [
      UNetConfiguration(inputChannels: 1, baseChannels: 16, depth: 3),
      UNetConfiguration(inputChannels: 1, baseChannels: 64, depth: 4),
    ] {
      let model = UNetMemoryModel(configuration: configuration, threads: 2)
      let geometry = configuration.geometry
      let sizes = geometry.legalOutputSizes(in: 1...1200).compactMap { geometry.inputSize(forOutputSize: $0) }
      for training in [false, true] {
        let bytes = sizes.compactMap { model.workspaceBytes(inputSize: $0, training: training) }
        #expect(bytes.count == sizes.count)
        // Not strictly monotonic, as the workspace is not: the Winograd buffers follow how a
        // map splits into strips of whole tile rows (and which maps take F(4×4) or whole strips
        // per thread), which can need a little less for the next larger tile (at most 4 % on
        // the paper network), but steadily growing.
        let steps = zip(bytes, bytes.dropFirst()).map { Double($1) / Double($0) }
        print("memory model: \(configuration) training \(training): smallest step ratio \(steps.min() ?? 1)")
        #expect(steps.allSatisfy { $0 > 0.95 }, "\(configuration) training \(training)")
        #expect(zip(bytes, bytes.dropFirst(4)).allSatisfy { $0 < $1 }, "\(configuration) training \(training)")
      }
      #expect(model.workspaceBytes(inputSize: (sizes.first ?? 0) + 1, training: false) == nil)
      let step = model.trainingStepBytes(inputSize: sizes[0], optimizerBuffers: 2) ?? 0
      let workspace = model.workspaceBytes(inputSize: sizes[0], training: true) ?? 0
      let parameters = UNetParameterLayout(configuration: configuration).count
      #expect(step > workspace + 12 * parameters + UNetMemoryModel.processOverheadBytes)
    }
  }
}
