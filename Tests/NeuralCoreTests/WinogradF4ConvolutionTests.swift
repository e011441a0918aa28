import NeuralCore
import Testing

/// The forward 3×3 convolution by Winograd F(4×4, 3×3) (`Convolution2D.forward(winograd:)`,
/// what the U-Net runs on its large maps; all three point sets) against the naive reference in
/// Double: every
/// path of the transforms (eight-tile vectors, single tail tiles, half tiles at the right and
/// bottom edges of a 4t + 2 output, crop-and-concatenate, two depth blocks, many strips) and
/// bit-identical results for any thread count. The error bound (2e-5 of the largest output) is
/// what `WinogradF4AccuracyTests` measures for the paper network's shapes, with margin.
@Suite struct WinogradF4ConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var inputs: [(c: Int, h: Int, w: Int)]
    var cout: Int
    var relu: Bool
    var description: String { "\(inputs) → \(cout), relu \(relu)" }
  }

  static let cases: [Case] = [
    // Output 8 × 36: eight whole tiles per row as one vector group, a ninth single tile.
    Case(inputs: [(16, 10, 38)], cout: 9, relu: true),
    // Output 10 × 42: half tiles at the right and bottom (10 = 4·2 + 2, 42 = 4·10 + 2).
    Case(inputs: [(16, 12, 44)], cout: 8, relu: false),
    // Crop-and-concatenate of a skip map and an upsampled map (output 22 × 34, half tiles).
    Case(inputs: [(12, 28, 40), (8, 24, 36)], cout: 16, relu: true),
    // 300 input channels: two depth blocks of the packed GEMM; no ReLU; output 6 × 10.
    Case(inputs: [(300, 8, 12)], cout: 20, relu: false),
    // Output 130 × 130 (33 × 33 tiles, the last half): several strips.
    Case(inputs: [(32, 132, 132)], cout: 32, relu: true),
    // Output 256 × 256: many strips, threads take whole strips.
    Case(inputs: [(16, 258, 258)], cout: 16, relu: true),
    // Output 2 × 2: one half tile in each direction only.
    Case(inputs: [(16, 4, 4)], cout: 4, relu: false),
  ]

  /// Random inputs of `testCase`'s shapes and a random layer over their concatenation.
  static func randomLayer(_ testCase: Case, rng: inout RandomSource) -> (inputs: [Tensor], layer: Convolution2D) {
    let inputs = testCase.inputs.map { Reference.randomTensor($0.c, $0.h, $0.w, rng: &rng) }
    let cin = inputs.reduce(0) { $0 + $1.channels }
    let layer = Convolution2D(
      inputChannels: cin, outputChannels: testCase.cout, kernelSize: 3,
      weights: Reference.randomArray(testCase.cout * cin * 9, rng: &rng),
      bias: Reference.randomArray(testCase.cout, rng: &rng))
    return (inputs, layer)
  }

  @Test(arguments: cases)
  func forwardMatchesTheNaiveReference(_ testCase: Case) {
    var rng = RandomSource(seed: 13)
    let (inputs, layer) = Self.randomLayer(testCase, rng: &rng)
    let expected = Reference.conv(
      Reference.cropConcat(inputs), weights: layer.weights, bias: layer.bias, cout: testCase.cout, k: 3,
      relu: testCase.relu)
    for variant in [WinogradVariant.f4x4, .f4x4HalfPoints, .f4x4MixedPoints] {
      let output = layer.forward(inputs, relu: testCase.relu, winograd: variant, parallel: Parallel(threads: 2))
      #expect(output.shape == expected.shape)
      #expect(Reference.relativeError(output.storage, expected.storage) < 2e-5, "\(variant)")
    }
  }

  /// The input gradient by F(4×4) (what the U-Net's backward pass runs on its large maps):
  /// a valid convolution of the zero-bordered output gradient with the rotated filters,
  /// against the naive reference in Double, for a single map and a crop-and-concatenation
  /// (its gradient split into the two inputs' rows), with and without ReLU; the weight
  /// gradient (F(2×2)) unchanged.
  @Test(arguments: [
    Case(inputs: [(24, 62, 62)], cout: 32, relu: true),
    Case(inputs: [(16, 58, 58), (16, 54, 54)], cout: 24, relu: false),
    Case(inputs: [(32, 50, 46)], cout: 16, relu: true),
  ])
  func inputGradientMatchesTheNaiveReference(_ testCase: Case) {
    var rng = RandomSource(seed: 17)
    let (inputs, layer) = Self.randomLayer(testCase, rng: &rng)
    let parallel = Parallel(threads: 2)
    let output = layer.forward(inputs, relu: testCase.relu, parallel: parallel)
    let g = Reference.randomTensor(output.channels, output.height, output.width, rng: &rng)
    let pre = testCase.relu ? Reference.reluMask(g, output: output) : g
    let reference = Reference.convBackward(
      Reference.cropConcat(inputs), weights: layer.weights, cout: testCase.cout, k: 3, preGradient: pre)
    let f2 = layer.backward(inputs: inputs, output: output, outputGradient: g, relu: testCase.relu, parallel: parallel)
    for variant in [WinogradVariant.f4x4, .f4x4HalfPoints, .f4x4MixedPoints] {
      let f4 = layer.backward(
        inputs: inputs, output: output, outputGradient: g, relu: testCase.relu, winograd: variant,
        parallel: parallel)
      #expect(f4.weights == f2.weights, "\(variant): the weight gradient does not depend on it")
      var c0 = 0
      for (i, input) in inputs.enumerated() {
        let part = reference.input.channels(c0..<(c0 + input.channels)).embeddedInCentre(of: input.shape)
        #expect(Reference.relativeError(f4.inputs[i].storage, part.storage) < 2e-5, "\(variant), input \(i)")
        #expect(!Reference.identical(f4.inputs[i].storage, f2.inputs[i].storage), "F(4x4) really ran")
        c0 += input.channels
      }
    }
  }

  /// One strip shared by all threads; several strips taken whole or shared; half tiles.
  @Test(arguments: [(24, 18, 30, 42), (32, 32, 132, 132), (16, 16, 258, 258), (16, 8, 94, 70)])
  func resultsAreBitIdenticalForAnyThreadCount(_ shape: (cin: Int, cout: Int, h: Int, w: Int)) {
    var rng = RandomSource(seed: 5)
    let input = Reference.randomTensor(shape.cin, shape.h, shape.w, rng: &rng)
    let layer = Convolution2D(
      inputChannels: shape.cin, outputChannels: shape.cout, kernelSize: 3,
      weights: Reference.randomArray(shape.cout * shape.cin * 9, rng: &rng),
      bias: Reference.randomArray(shape.cout, rng: &rng))
    let one = layer.forward([input], relu: true, winograd: .f4x4, parallel: Parallel(threads: 1))
    for threads in [2, 3] {
      let other = layer.forward([input], relu: true, winograd: .f4x4, parallel: Parallel(threads: threads))
      #expect(Reference.identical(other.storage, one.storage))
    }
  }
}
