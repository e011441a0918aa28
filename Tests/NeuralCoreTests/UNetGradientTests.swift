import NeuralCore
import Testing

@Suite struct UNetGradientTests {
  struct Problem {
    var network: UNet
    var input: Tensor
    var targets: [Int32]
    var weights: [Float]
  }

  /// A depth-2, base-4 U-Net on its 48-pixel input (8×8 output), with a weight map that
  /// includes ignored (zero-weight) pixels and large border-like weights.
  static func problem(dropout: Float, inputChannels: Int = 2, classes: Int = 3) -> Problem {
    var rng = RandomSource(seed: 2015)
    let configuration = UNetConfiguration(
      inputChannels: inputChannels, classes: classes, baseChannels: 4, depth: 2, dropout: dropout)
    var network = UNet(configuration: configuration, rng: &rng)
    // Non-zero biases so that the bias gradients are exercised away from zero.
    var parameters = network.parameters
    for entry in network.layout.entries where entry.fanIn == 0 {
      for i in entry.range { parameters[i] = (rng.nextUniform() - 0.5) * 0.2 }
    }
    network.setParameters(parameters)
    let input = Reference.randomTensor(inputChannels, 48, 48, rng: &rng)
    let pixels = 64
    let targets = (0..<pixels).map { _ in Int32(rng.nextInt(below: classes)) }
    let weights = (0..<pixels).map { i -> Float in i % 7 == 0 ? 0 : 1 + 9 * rng.nextUniform() }
    return Problem(network: network, input: input, targets: targets, weights: weights)
  }

  @Test func forwardMatchesTheNaiveDoublePrecisionNetwork() {
    let p = Self.problem(dropout: 0)
    let logits = p.network.forward(p.input, parallel: Parallel(threads: 2))
    let reference = NaiveUNet(network: p.network).forward(p.input, rng: nil)
    #expect(logits.shape == Shape(channels: 3, height: 8, width: 8))
    let expected = reference.v.map(Float.init)
    #expect(Reference.relativeError(logits.storage, expected) < 1e-5)
  }

  /// Analytic gradient (Float) against central differences of the Double reference network,
  /// for a spread of parameters in every tensor and along random directions in all of them.
  @Test(arguments: [Float(0), 0.4])
  func gradientMatchesFiniteDifferences(dropout: Float) {
    let p = Self.problem(dropout: dropout)
    let seed = RandomSource(seed: 99)
    var rng = seed
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    let (loss, gradient) = p.network.lossAndGradient(
      input: p.input, targets: p.targets, weights: p.weights, rng: &rng, workspace: workspace)
    var naive = NaiveUNet(network: p.network)
    let referenceLoss = naive.loss(p.input, targets: p.targets, weights: p.weights, rng: seed)
    #expect(abs(Double(loss) - referenceLoss) < 1e-5 * max(1, referenceLoss))

    // Small steps: the loss is only piecewise smooth (ReLU, max-pool), and a larger step
    // across all parameters at once can cross a kink. The Double reference makes them safe.
    let h = 1e-7
    func difference(_ change: (inout [Double], Double) -> Void) -> Double {
      let saved = naive.parameters
      change(&naive.parameters, h)
      let plus = naive.loss(p.input, targets: p.targets, weights: p.weights, rng: seed)
      naive.parameters = saved
      change(&naive.parameters, -h)
      let minus = naive.loss(p.input, targets: p.targets, weights: p.weights, rng: seed)
      naive.parameters = saved
      return (plus - minus) / (2 * h)
    }

    var picker = RandomSource(seed: 4)
    var worst = 0.0
    for entry in p.network.layout.entries {
      for _ in 0..<4 {
        let i = entry.offset + picker.nextInt(below: entry.count)
        let numeric = difference { parameters, step in parameters[i] += step }
        let error = abs(numeric - Double(gradient[i])) / max(1e-3, abs(numeric))
        worst = max(worst, error)
        #expect(error < 2e-3, "\(entry.name)[\(i - entry.offset)]: analytic \(gradient[i]), numeric \(numeric)")
      }
    }
    for _ in 0..<3 {
      let direction = (0..<gradient.count).map { _ in Double(picker.nextGaussian()) }
      let numeric = difference { parameters, step in
        for i in 0..<parameters.count { parameters[i] += step * direction[i] }
      }
      let analytic = zip(gradient, direction).reduce(0.0) { $0 + Double($1.0) * $1.1 }
      #expect(abs(numeric - analytic) < 1e-3 * max(1e-2, abs(numeric)), "directional: analytic \(analytic), numeric \(numeric)")
    }
  }
}
