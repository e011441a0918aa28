import NeuralCore
import Testing

/// How accurate Winograd F(4×4, 3×3) is where the U-Net uses it, measured against the direct
/// convolution summed in Double, next to F(2×2, 3×3) on the same data.
///
/// Per layer: every (inputs → outputs) shape of the paper network (base 64, depth 4) and of the
/// tiny network (base 16, depth 2) of `tinyNetworkMatchesTheNaiveReference`, on post-ReLU
/// inputs (max(0, N(0, 1))) with He-normal weights, as the network sees them; an output of
/// 6 × 34 covers the vector, tail and half-tile paths (the error of one output does not depend
/// on the map size: it is one sum over 9 · inputs terms). Measured on the AVX-512 build, as
/// max |Δ| / max |reference| (the layer's error relative to its largest output; printed by
/// `perLayerErrorIsWithinTheBound` with the max |Δ| and the rms error) for F(4×4) with the
/// points 0, ±1, 2, −1/2 (the default), 0, ±1, ±2 (Lavin and Gray's), 0, ±1, ±1/2, and F(2×2):
///
///     inputs → outputs   mixed    ±2       ±1/2     F(2×2)
///       64 →   64        1.5e-6   5.2e-6   4.9e-6   3.1e-7
///       64 →  128        1.7e-6   5.1e-6   5.5e-6   3.1e-7
///      128 →  128        3.1e-6   6.6e-6   6.3e-6   3.5e-7
///      128 →  256        2.5e-6   5.8e-6   6.5e-6   3.3e-7
///      256 →  256        2.8e-6   8.8e-6   8.9e-6   5.1e-7
///      256 →  512        3.3e-6   9.8e-6   8.2e-6   4.9e-7
///      512 →  512        2.9e-6   7.0e-6   6.7e-6   4.9e-7
///      512 → 1024        3.3e-6   7.5e-6   1.1e-5   4.6e-7
///     1024 → 1024        2.4e-6   6.9e-6   8.2e-6   3.8e-7
///     1024 →  512        3.2e-6   7.8e-6   7.3e-6   4.8e-7
///      512 →  256        3.0e-6   6.4e-6   6.3e-6   3.9e-7
///      256 →  128        4.3e-6   9.6e-6   8.8e-6   5.7e-7
///      128 →   64        2.1e-6   4.2e-6   5.2e-6   3.9e-7
///       16 →   16        0.8e-6   1.8e-6   2.4e-6   1.6e-7   (tiny network)
///       16 →   32        0.9e-6   4.6e-6   2.5e-6   1.7e-7
///       32 →   32        1.1e-6   2.1e-6   2.9e-6   2.4e-7
///       32 →   64        1.3e-6   3.4e-6   2.7e-6   2.3e-7
///       64 →   32        1.4e-6   3.5e-6   4.5e-6   3.0e-7
///       32 →   16        1.4e-6   3.5e-6   3.0e-6   1.9e-7
///
/// The rms errors rank the same way for every shape: mixed 0.5–1.7e-6, ±2 0.7–2.2e-6, ±1/2
/// 0.8–2.7e-6, F(2×2) 0.14–0.43e-6. So the default is the mixed points: 5–10× less accurate than
/// F(2×2) (its constants up to 8 amplify the rounding of the float products), below 5e-6 of the
/// layer's range; the bounds tested are 1e-5 (mixed) and 2e-5 (the others). The whole paper
/// network on a 572 tile: F(4×4) (on the maps with ≥ 128 tiles, the default) moves the
/// probabilities by at most 6.9e-6 from F(2×2), inside the
/// seamless-tiling guarantee of 1e-4.
@Suite struct WinogradF4AccuracyTests {
  /// (inputs, outputs) of the 3×3 layers that take Winograd in the paper network and in the
  /// tiny network (base 16, depth 2) of `tinyNetworkMatchesTheNaiveReference`.
  static let paperShapes: [(Int, Int)] = [
    (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512), (512, 512), (512, 1024),
    (1024, 1024), (1024, 512), (512, 256), (256, 128), (128, 64),
  ]
  static let tinyShapes: [(Int, Int)] = [(16, 16), (16, 32), (32, 32), (32, 64), (64, 64), (64, 32), (32, 16)]

  struct Errors {
    var maxAbs: Double
    var relative: Double
    /// √(mean Δ²) / √(mean reference²): a steadier statistic than the maximum.
    var rms: Double
  }

  static func errors(_ output: [Double], _ reference: [Double]) -> Errors {
    let maxAbs = zip(output, reference).map { abs($0 - $1) }.max() ?? 0
    let scale = reference.map(abs).max() ?? 1
    let squares = zip(output, reference).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let norm = reference.reduce(0.0) { $0 + $1 * $1 }
    return Errors(maxAbs: maxAbs, relative: maxAbs / scale, rms: (squares / norm).squareRoot())
  }

  /// Max |Δ| and max |Δ| / max |reference| of both variants for one layer shape.
  static func errors(inputs cin: Int, outputs cout: Int, seed: UInt64) -> [WinogradVariant: Errors] {
    var rng = RandomSource(seed: seed)
    var input = Tensor(channels: cin, height: 8, width: 36)
    for i in 0..<input.storage.count { input.storage[i] = Swift.max(0, rng.nextGaussian()) }
    let std = Float((2.0 / Double(9 * cin)).squareRoot())
    let layer = Convolution2D(
      inputChannels: cin, outputChannels: cout, kernelSize: 3,
      weights: (0..<(cout * cin * 9)).map { _ in std * rng.nextGaussian() },
      bias: (0..<cout).map { _ in 0.1 * rng.nextGaussian() })
    let reference = ReferenceMap(input).conv(
      weights: layer.weights.map(Double.init), bias: layer.bias.map(Double.init), k: 3, relu: false)
    var result: [WinogradVariant: Errors] = [:]
    for variant in WinogradVariant.allCases {
      let output = layer.forward([input], winograd: variant, parallel: Parallel(threads: 2))
      result[variant] = errors(output.storage.map(Double.init), reference.v)
    }
    return result
  }

  static func line(_ cin: Int, _ cout: Int, _ e: [WinogradVariant: Errors]) -> String {
    func f(_ x: Double?) -> String {
      guard let x else { return "-" }
      var s = String(x)
      if s.count > 9 { s = String(s.prefix(6)) + String(s.suffix(from: s.firstIndex(of: "e") ?? s.endIndex)) }
      return s
    }
    func part(_ name: String, _ v: WinogradVariant) -> String {
      "\(name) max abs \(f(e[v]?.maxAbs)) relative \(f(e[v]?.relative)) rms \(f(e[v]?.rms))"
    }
    return "\(cin) -> \(cout): " + part("F(4x4)", .f4x4) + "; " + part("points 1/2", .f4x4HalfPoints)
      + "; " + part("points mixed", .f4x4MixedPoints) + "; " + part("F(2x2)", .f2x2)
  }

  @Test(arguments: paperShapes + tinyShapes)
  func perLayerErrorIsWithinTheBound(_ shape: (Int, Int)) {
    let e = WinogradF4AccuracyTests.errors(inputs: shape.0, outputs: shape.1, seed: UInt64(shape.0 * 7 + shape.1))
    print("Winograd error " + WinogradF4AccuracyTests.line(shape.0, shape.1, e))
    #expect((e[.f4x4MixedPoints]?.relative ?? 1) < 1e-5)
    #expect((e[.f4x4]?.relative ?? 1) < 2e-5)
    #expect((e[.f4x4HalfPoints]?.relative ?? 1) < 2e-5)
    #expect((e[.f2x2]?.relative ?? 1) < 1e-6)
  }

  /// The interpolation points 0, ±1, ±2 (Lavin and Gray's), 0, ±1, ±1/2 and the mixed
  /// 0, ±1, 2, −1/2, each in Float through the generic Toom-Cook matrices (an implementation
  /// independent of the production transforms), on the same post-ReLU data with 256 inputs:
  /// the mixed points, the production default, have the smallest rms error (measured 1.5e-6
  /// against 2.3e-6 and 2.4e-6; max 2.3e-6 against 5.1e-6 and 7.4e-6), as in the per-layer
  /// measurement of the production code. The generic ±2 matrices are Lavin and Gray's.
  @Test func mixedInterpolationPointsAreTheMostAccurate() {
    var rng = RandomSource(seed: 9)
    let cin = 256, cout = 8
    var input = ReferenceMap(c: cin, h: 14, w: 14)
    for i in 0..<input.v.count { input.v[i] = Double(Swift.max(0, rng.nextGaussian())) }
    let std = Float((2.0 / Double(9 * cin)).squareRoot())
    let weights = (0..<(cout * cin * 9)).map { _ in std * rng.nextGaussian() }
    let reference = input.conv(
      weights: weights.map(Double.init), bias: [Double](repeating: 0, count: cout), k: 3, relu: false)
    var errors: [Double] = []
    for points in [[0, 1, -1, 2, -2], [0, 1, -1, 0.5, -0.5], [0, 1, -1, 2, -0.5]] {
      let algorithm = ToomCookF4(points: points)
      let output = algorithm.convolve(input, weights: weights, cout: cout)
      let e = WinogradF4AccuracyTests.errors(output.v, reference.v)
      errors.append(e.rms)
      print("Winograd F(4x4) points \(points): relative error \(e.relative), rms \(e.rms)")
    }
    let lavin = ToomCookF4(points: [0, 1, -1, 2, -2])
    #expect(lavin.bt[1] == [0, -4, -4, 1, 1, 0] && lavin.bt[5] == [0, 4, 0, -5, 0, 1])
    #expect(lavin.at[3] == [0, 1, -1, 8, -8, 1] && abs(lavin.g[3][0] - 1.0 / 24) < 1e-15)
    #expect(errors[2] < errors[0] && errors[2] < errors[1])
  }

  /// The paper network on a 572 tile: F(4×4) (the default) against F(2×2) everywhere, within
  /// the seamless-tiling guarantee of 1e-4 on the probabilities.
  @Test func paperNetworkProbabilitiesAgreeWithF2x2() {
    var rng = RandomSource(seed: 21)
    let network = UNet(
      configuration: UNetConfiguration(inputChannels: 1, classes: 2, baseChannels: 64, depth: 4), rng: &rng)
    var input = Tensor(channels: 1, height: 572, width: 572)
    for i in 0..<input.storage.count { input.storage[i] = rng.nextGaussian() }
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    #expect(workspace.forwardWinograd == .f4x4MixedPoints)
    let fast = network.probabilities(input, workspace: workspace)
    workspace.forwardWinograd = .f2x2
    let previous = network.probabilities(input, workspace: workspace)
    let difference = Reference.maxAbsDifference(fast.storage, previous.storage)
    let previousLogits = network.forward(input, workspace: workspace)
    workspace.forwardWinograd = .f4x4MixedPoints
    let logits = Reference.relativeError(network.forward(input, workspace: workspace).storage, previousLogits.storage)
    print("Winograd paper network 572: max |Δp| \(difference), logits relative \(logits)")
    #expect(difference < 1e-4)
    #expect(difference > 0)  // F(4×4) really ran
  }

  /// Training runs the same forward: the loss and gradient of a tiny network on a tile where
  /// F(4×4) runs (output 68) agree with the F(2×2) forward's to float rounding (the backward
  /// pass is F(2×2) in both; the gradient is checked against finite differences on small
  /// tiles in `UNetGradientTests`).
  @Test func trainingWithTheF4x4ForwardGivesTheSameGradient() {
    var rng = RandomSource(seed: 6)
    let network = UNet(
      configuration: UNetConfiguration(inputChannels: 1, classes: 2, baseChannels: 16, depth: 2), rng: &rng)
    guard let size = network.configuration.geometry.inputSize(forOutputSize: 68) else {
      Issue.record("68 illegal")
      return
    }
    let input = Reference.randomTensor(1, size, size, rng: &rng)
    let targets = (0..<(68 * 68)).map { _ in Int32(rng.nextInt(below: 2)) }
    let weights = (0..<(68 * 68)).map { _ in 1 + rng.nextUniform() }
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    var draws = RandomSource(seed: 1)
    let fast = network.lossAndGradient(input: input, targets: targets, weights: weights, rng: &draws, workspace: workspace)
    workspace.forwardWinograd = .f2x2
    let previous = network.lossAndGradient(
      input: input, targets: targets, weights: weights, rng: &draws, workspace: workspace)
    print("Winograd training 68: loss \(fast.loss) vs \(previous.loss), gradient relative \(Reference.relativeError(fast.gradient, previous.gradient))")
    #expect(abs(fast.loss - previous.loss) < 1e-5 * abs(previous.loss))
    #expect(!Reference.identical(fast.gradient, previous.gradient))  // F(4×4) really ran
    let scale = previous.gradient.map(abs).max() ?? 1
    #expect(Reference.maxAbsDifference(fast.gradient, previous.gradient) < 1e-4 * scale)
  }

  /// A tiny network (base 16, depth 2) on a tile large enough for F(4×4) on its first and last
  /// levels (output ≥ 64): the logits against the naive U-Net in Double.
  @Test func tinyNetworkMatchesTheNaiveReference() {
    var rng = RandomSource(seed: 4)
    let network = UNet(
      configuration: UNetConfiguration(inputChannels: 1, classes: 2, baseChannels: 16, depth: 2), rng: &rng)
    guard let size = network.configuration.geometry.inputSize(forOutputSize: 68) else {
      Issue.record("68 illegal")
      return
    }
    let input = Reference.randomTensor(1, size, size, rng: &rng)
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    let fast = network.forward(input, workspace: workspace)
    workspace.forwardWinograd = .f2x2
    let previous = network.forward(input, workspace: workspace)
    let naive = NaiveUNet(network: network).forward(input, rng: nil).v.map(Float.init)
    #expect(!Reference.identical(fast.storage, previous.storage))  // F(4×4) really ran
    #expect(Reference.relativeError(fast.storage, naive) < 1e-5)
  }
}
