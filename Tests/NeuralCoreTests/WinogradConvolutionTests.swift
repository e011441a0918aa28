import NeuralCore
import Testing

/// The 3×3 convolutions with an even output size and at least 16 input channels take the
/// Winograd F(2×2, 3×3) path (forward, input gradient and weight gradient); these cases pin it
/// against the naive reference (computed in Double).
///
/// Winograd's error: its transforms only add and halve, so the result differs from the direct
/// sum by the rounding of a few more additions of terms of the same magnitude. Measured
/// (max |Δ| / max |reference|, 9 to 512 channels, maps up to 256 × 256): 2–5e-7 for the
/// forward pass and the input gradient, up to 1e-6 for the weight gradient (a sum over every
/// pixel). The bound tested is 1e-5, the tolerance of the other kernels' tests, well inside the
/// issue's 1e-4.
@Suite struct WinogradConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var inputs: [(c: Int, h: Int, w: Int)]
    var cout: Int
    var relu: Bool
    var description: String { "\(inputs) → \(cout), relu \(relu)" }
  }

  static let cases: [Case] = [
    // 11 tiles per row: one 8-tile vector group and three single tiles; Cout not a multiple of 4.
    Case(inputs: [(16, 10, 24)], cout: 9, relu: true),
    // Crop-and-concatenate of a skip map and an upsampled map, as in the decoder.
    Case(inputs: [(12, 28, 30), (8, 24, 24)], cout: 16, relu: true),
    // 300 input channels: two depth blocks of the packed GEMM; no ReLU.
    Case(inputs: [(300, 8, 12)], cout: 20, relu: false),
    // 65 × 65 tiles: more than one strip.
    Case(inputs: [(32, 132, 132)], cout: 32, relu: true),
    // 128 × 128 tiles in 16 strips: threads take whole strips, and the weight gradient is
    // summed in groups of strips.
    Case(inputs: [(16, 258, 258)], cout: 16, relu: true),
  ]

  @Test(arguments: cases)
  func forwardAndInputGradientMatchTheNaiveReference(_ testCase: Case) {
    var rng = RandomSource(seed: 11)
    let inputs = testCase.inputs.map { Reference.randomTensor($0.c, $0.h, $0.w, rng: &rng) }
    let cin = inputs.reduce(0) { $0 + $1.channels }
    let layer = Convolution2D(
      inputChannels: cin, outputChannels: testCase.cout, kernelSize: 3,
      weights: Reference.randomArray(testCase.cout * cin * 9, rng: &rng),
      bias: Reference.randomArray(testCase.cout, rng: &rng))
    let parallel = Parallel(threads: 2)
    let output = layer.forward(inputs, relu: testCase.relu, parallel: parallel)
    let concatenated = Reference.cropConcat(inputs)
    let expected = Reference.conv(
      concatenated, weights: layer.weights, bias: layer.bias, cout: testCase.cout, k: 3, relu: testCase.relu)
    #expect(output.shape == expected.shape)
    #expect(Reference.relativeError(output.storage, expected.storage) < 1e-5)

    let g = Reference.randomTensor(output.channels, output.height, output.width, rng: &rng)
    let gradients = layer.backward(
      inputs: inputs, output: output, outputGradient: g, relu: testCase.relu, parallel: parallel)
    let pre = testCase.relu ? Reference.reluMask(g, output: output) : g
    let reference = Reference.convBackward(
      concatenated, weights: layer.weights, cout: testCase.cout, k: 3, preGradient: pre)
    #expect(Reference.relativeError(gradients.weights, reference.weights) < 1e-5)
    var c0 = 0
    for (i, input) in inputs.enumerated() {
      let part = reference.input.channels(c0..<(c0 + input.channels)).embeddedInCentre(of: input.shape)
      #expect(Reference.relativeError(gradients.inputs[i].storage, part.storage) < 1e-5)
      c0 += input.channels
    }
  }

  /// One strip shared by all threads (24 channels, 28 × 40 output); nine strips that one or
  /// two threads take whole while three share each (32 channels, 130 × 130 output); sixteen
  /// strips whose weight gradient is summed in groups (16 channels, 256 × 256 output).
  @Test(arguments: [(24, 18, 30, 42), (32, 32, 132, 132), (16, 16, 258, 258)])
  func resultsAreBitIdenticalForAnyThreadCount(_ shape: (cin: Int, cout: Int, h: Int, w: Int)) {
    var rng = RandomSource(seed: 5)
    let input = Reference.randomTensor(shape.cin, shape.h, shape.w, rng: &rng)
    let layer = Convolution2D(
      inputChannels: shape.cin, outputChannels: shape.cout, kernelSize: 3,
      weights: Reference.randomArray(shape.cout * shape.cin * 9, rng: &rng),
      bias: Reference.randomArray(shape.cout, rng: &rng))
    let one = layer.forward([input], relu: true, parallel: Parallel(threads: 1))
    let g = Reference.randomTensor(shape.cout, shape.h - 2, shape.w - 2, rng: &rng)
    let backOne = layer.backward(inputs: [input], output: one, outputGradient: g, relu: true, parallel: Parallel(threads: 1))
    for threads in [2, 3] {
      let parallel = Parallel(threads: threads)
      let other = layer.forward([input], relu: true, parallel: parallel)
      #expect(Reference.identical(other.storage, one.storage))
      let back = layer.backward(inputs: [input], output: other, outputGradient: g, relu: true, parallel: parallel)
      #expect(Reference.identical(back.inputs[0].storage, backOne.inputs[0].storage))
      #expect(Reference.identical(back.weights, backOne.weights))
    }
  }
}
