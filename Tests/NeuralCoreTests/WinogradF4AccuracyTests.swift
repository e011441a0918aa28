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
/// `perLayerErrorIsWithinTheBound`):
///
///     inputs → outputs   F(4×4)   F(2×2)        inputs → outputs   F(4×4)   F(2×2)
///       64 →   64        5.2e-6   3.1e-7          1024 →  512        7.8e-6   4.8e-7
///       64 →  128        5.1e-6   3.1e-7           512 →  256        6.4e-6   3.9e-7
///      128 →  128        6.6e-6   3.5e-7           256 →  128        9.6e-6   5.7e-7
///      128 →  256        5.8e-6   3.3e-7           128 →   64        4.2e-6   3.9e-7
///      256 →  256        8.8e-6   5.1e-7            16 →   16        1.8e-6   1.6e-7
///      256 →  512        9.8e-6   4.9e-7            16 →   32        4.6e-6   1.7e-7
///      512 →  512        7.0e-6   4.9e-7            32 →   32        2.1e-6   2.4e-7
///      512 → 1024        7.5e-6   4.6e-7            32 →   64        3.4e-6   2.3e-7
///     1024 → 1024        6.9e-6   3.8e-7            64 →   32        3.5e-6   3.0e-7
///
/// F(4×4) is 10–20× less accurate than F(2×2) (its constants up to 8 amplify the rounding of
/// the float products) but stays below 1e-5 of the layer's range; the bound tested is 2e-5.
/// The whole paper network on a 572 tile: F(4×4) (on the maps with ≥ 256 tiles, the default)
/// moves the probabilities by at most 1.0e-5 from F(2×2) (logits 5.5e-6 relative), 10× inside
/// the seamless-tiling guarantee of 1e-4.
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
    #expect((e[.f4x4]?.relative ?? 1) < 2e-5)
    #expect((e[.f4x4HalfPoints]?.relative ?? 1) < 2e-5)
    #expect((e[.f4x4MixedPoints]?.relative ?? 1) < 2e-5)
    #expect((e[.f2x2]?.relative ?? 1) < 1e-6)
  }

  /// The interpolation points: 0, ±1, ±2 (Lavin and Gray's, production), 0, ±1, ±1/2 and the
  /// mixed 0, ±1, 2, −1/2, each in Float through the generic Toom-Cook matrices, on the same
  /// post-ReLU data with 256 inputs (max |Δ| / max |reference|, printed). The production
  /// choice must be the most accurate (within 10 %), and the generic matrices in Double must
  /// be exact (so each variant really is a convolution).
  @Test func interpolationPointsZeroOneTwoAreTheMostAccurate() {
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
    print("Winograd F(4x4) points errors \(errors)")
  }

  /// The paper network on a 572 tile: F(4×4) (the default) against F(2×2) everywhere, within
  /// the seamless-tiling guarantee of 1e-4 on the probabilities (measured: about 1e-6).
  @Test func paperNetworkProbabilitiesAgreeWithF2x2() {
    var rng = RandomSource(seed: 21)
    let network = UNet(
      configuration: UNetConfiguration(inputChannels: 1, classes: 2, baseChannels: 64, depth: 4), rng: &rng)
    var input = Tensor(channels: 1, height: 572, width: 572)
    for i in 0..<input.storage.count { input.storage[i] = rng.nextGaussian() }
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    #expect(workspace.forwardWinograd == .f4x4)
    let fast = network.probabilities(input, workspace: workspace)
    workspace.forwardWinograd = .f2x2
    let previous = network.probabilities(input, workspace: workspace)
    let difference = Reference.maxAbsDifference(fast.storage, previous.storage)
    let logits = Reference.relativeError(
      network.forward(input, workspace: workspace).storage,
      { workspace.forwardWinograd = .f4x4; return network.forward(input, workspace: workspace).storage }())
    print("Winograd paper network 572: max |Δp| \(difference), logits relative \(logits)")
    #expect(difference < 1e-4)
    #expect(difference > 0)  // F(4×4) really ran
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
