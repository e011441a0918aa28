import NeuralCore
import Testing

@Suite struct UNetStructureTests {
  @Test func paperNetworkHasThePeersParameterCountAndFLOPs() {
    // Counted from the PyTorch reference's module shapes and its FLOP formula.
    let paper = UNetParameterLayout(configuration: UNetConfiguration(inputChannels: 1))
    #expect(paper.count == 31_030_658)
    #expect(paper.entries.count == 2 * 23)
    #expect(paper.entry(named: "up3.upconv.weight")?.shape == [1024, 512, 2, 2])
    #expect(paper.entry(named: "up0.conv0.weight")?.shape == [64, 128, 3, 3])
    #expect(paper.entry(named: "final.weight")?.shape == [2, 64, 1, 1])
    var rng = RandomSource(seed: 1)
    let small = UNet(configuration: UNetConfiguration(inputChannels: 1, baseChannels: 16), rng: &rng)
    #expect(small.parameterCount == 1_940_834)
    #expect(small.forwardFLOPs(inputSize: 572) == 18_880_957_568)
    // The paper's FLOPs follow from the layout alone; building the 31M-parameter net is not
    // needed: its count scales as base² except for the first and last layers.
    let paperNet = UNet(
      configuration: UNetConfiguration(inputChannels: 1),
      parameters: [Float](repeating: 0, count: paper.count))
    #expect(paperNet.forwardFLOPs(inputSize: 572) == 300_856_848_896)
    #expect(paperNet.forwardFLOPs(inputSize: 573) == nil)
  }

  /// He initialisation: weights ~ N(0, 2/N) with N the fan-in, biases zero.
  @Test func heInitialisationHasTheRightStandardDeviation() {
    var rng = RandomSource(seed: 42)
    let network = UNet(configuration: UNetConfiguration(inputChannels: 1, baseChannels: 32, depth: 2), rng: &rng)
    for entry in network.layout.entries {
      let values = network.parameters[entry.range].map(Double.init)
      if entry.fanIn == 0 {
        #expect(values.allSatisfy { $0 == 0 }, "\(entry.name)")
        continue
      }
      guard values.count >= 20_000 else { continue }
      let mean = values.reduce(0, +) / Double(values.count)
      let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
      let expected = (2 / Double(entry.fanIn)).squareRoot()
      #expect(abs(std / expected - 1) < 0.03, "\(entry.name): std \(std), expected \(expected)")
      #expect(abs(mean) < 0.03 * expected, "\(entry.name): mean \(mean)")
    }
  }

  @Test func inferenceWorkspaceIsReusedAndGivesTheSameLogits() {
    var rng = RandomSource(seed: 8)
    let network = UNet(configuration: UNetConfiguration(inputChannels: 3, classes: 4, baseChannels: 4, depth: 3), rng: &rng)
    let geometry = network.configuration.geometry
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    for output in [12, 20, 12] {
      guard let size = geometry.inputSize(forOutputSize: output) else {
        Issue.record("\(output) illegal")
        return
      }
      let input = Reference.randomTensor(3, size, size, rng: &rng)
      let reused = network.forward(input, workspace: workspace)
      let fresh = network.forward(input, parallel: Parallel(threads: 1))
      #expect(reused.shape == Shape(channels: 4, height: output, width: output))
      #expect(Reference.identical(reused.storage, fresh.storage))
      let naive = NaiveUNet(network: network).forward(input, rng: nil).v.map(Float.init)
      #expect(Reference.relativeError(reused.storage, naive) < 1e-5)
      let p = network.probabilities(input, workspace: workspace)
      for i in 0..<(output * output) {
        let sum = (0..<4).reduce(Float(0)) { $0 + p.storage[$1 * output * output + i] }
        #expect(abs(sum - 1) < 1e-5)
      }
    }
  }
}
