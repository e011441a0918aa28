import NeuralCore
import Testing

/// Finite-difference check of a U-Net whose 3×3 layers mostly take the Winograd path (base 16,
/// depth 1, 22-pixel input: down0.conv1, up0.conv0 and up0.conv1 have ≥ 16 input channels and
/// even outputs), against central differences of the Double-precision reference network.
@Suite struct WinogradGradientTests {
  @Test func gradientOfAWinogradUNetMatchesFiniteDifferences() {
    var rng = RandomSource(seed: 2016)
    let configuration = UNetConfiguration(inputChannels: 1, classes: 2, baseChannels: 16, depth: 1)
    var network = UNet(configuration: configuration, rng: &rng)
    var parameters = network.parameters
    for entry in network.layout.entries where entry.fanIn == 0 {
      for i in entry.range { parameters[i] = (rng.nextUniform() - 0.5) * 0.2 }
    }
    network.setParameters(parameters)
    let input = Reference.randomTensor(1, 22, 22, rng: &rng)
    let pixels = 36
    let targets = (0..<pixels).map { _ in Int32(rng.nextInt(below: 2)) }
    let weights = (0..<pixels).map { _ in 1 + 9 * rng.nextUniform() }

    var unused = RandomSource(seed: 0)
    let (loss, gradient) = network.lossAndGradient(
      input: input, targets: targets, weights: weights, rng: &unused,
      workspace: UNetWorkspace(parallel: Parallel(threads: 2)))
    var naive = NaiveUNet(network: network)
    let referenceLoss = naive.loss(input, targets: targets, weights: weights, rng: nil)
    #expect(abs(Double(loss) - referenceLoss) < 1e-5 * max(1, referenceLoss))

    let h = 1e-7
    func difference(_ change: (inout [Double], Double) -> Void) -> Double {
      let saved = naive.parameters
      change(&naive.parameters, h)
      let plus = naive.loss(input, targets: targets, weights: weights, rng: nil)
      naive.parameters = saved
      change(&naive.parameters, -h)
      let minus = naive.loss(input, targets: targets, weights: weights, rng: nil)
      naive.parameters = saved
      return (plus - minus) / (2 * h)
    }
    var picker = RandomSource(seed: 6)
    for name in ["down0.conv0.weight", "down0.conv1.weight", "up0.conv0.weight", "up0.conv1.weight", "up0.upconv.weight"] {
      guard let entry = network.layout.entry(named: name) else {
        Issue.record("no \(name)")
        continue
      }
      for _ in 0..<3 {
        let i = entry.offset + picker.nextInt(below: entry.count)
        let numeric = difference { parameters, step in parameters[i] += step }
        let error = abs(numeric - Double(gradient[i])) / max(1e-3, abs(numeric))
        #expect(error < 2e-3, "\(name)[\(i - entry.offset)]: analytic \(gradient[i]), numeric \(numeric)")
      }
    }
    let direction = (0..<gradient.count).map { _ in Double(picker.nextGaussian()) }
    let numeric = difference { parameters, step in
      for i in 0..<parameters.count { parameters[i] += step * direction[i] }
    }
    let analytic = zip(gradient, direction).reduce(0.0) { $0 + Double($1.0) * $1.1 }
    #expect(abs(numeric - analytic) < 1e-3 * max(1e-2, abs(numeric)), "directional: analytic \(analytic), numeric \(numeric)")
  }
}
