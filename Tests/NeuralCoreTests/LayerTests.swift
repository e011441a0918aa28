import NeuralCore
import Testing

@Suite struct ConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var inputs: [(c: Int, h: Int, w: Int)]
    var cout: Int
    var k: Int
    var relu: Bool
    var description: String { "\(inputs) → \(cout), k \(k), relu \(relu)" }
  }

  static let cases: [Case] = [
    Case(inputs: [(3, 9, 11)], cout: 5, k: 3, relu: false),
    Case(inputs: [(6, 30, 29)], cout: 12, k: 3, relu: true),
    // Depth Cin·9 = 360 spans two depth blocks; 8 output rows and 31 columns cross tiles.
    Case(inputs: [(40, 10, 33)], cout: 8, k: 3, relu: true),
    // Crop-and-concatenate: a larger skip map and an upsampled map.
    Case(inputs: [(4, 16, 16), (3, 12, 12)], cout: 6, k: 3, relu: true),
    Case(inputs: [(7, 13, 12)], cout: 2, k: 1, relu: false),
  ]

  @Test(arguments: cases)
  func forwardAndBackwardMatchTheNaiveReference(_ testCase: Case) {
    var rng = RandomSource(seed: 7)
    let inputs = testCase.inputs.map { Reference.randomTensor($0.c, $0.h, $0.w, rng: &rng) }
    let cin = inputs.reduce(0) { $0 + $1.channels }
    let layer = Convolution2D(
      inputChannels: cin, outputChannels: testCase.cout, kernelSize: testCase.k,
      weights: Reference.randomArray(testCase.cout * cin * testCase.k * testCase.k, rng: &rng),
      bias: Reference.randomArray(testCase.cout, rng: &rng))
    let parallel = Parallel(threads: 2)
    let output = layer.forward(inputs, relu: testCase.relu, parallel: parallel)
    let concatenated = Reference.cropConcat(inputs)
    let expected = Reference.conv(
      concatenated, weights: layer.weights, bias: layer.bias, cout: testCase.cout, k: testCase.k,
      relu: testCase.relu)
    #expect(output.shape == expected.shape)
    #expect(Reference.relativeError(output.storage, expected.storage) < 1e-5)

    let g = Reference.randomTensor(output.channels, output.height, output.width, rng: &rng)
    let gradients = layer.backward(
      inputs: inputs, output: output, outputGradient: g, relu: testCase.relu, parallel: parallel)
    let pre = testCase.relu ? Reference.reluMask(g, output: output) : g
    let reference = Reference.convBackward(
      concatenated, weights: layer.weights, cout: testCase.cout, k: testCase.k, preGradient: pre)
    #expect(Reference.relativeError(gradients.weights, reference.weights) < 1e-5)
    #expect(Reference.relativeError(gradients.bias, reference.bias) < 1e-5)
    var c0 = 0
    for (i, input) in inputs.enumerated() {
      let part = reference.input.channels(c0..<(c0 + input.channels)).embeddedInCentre(of: input.shape)
      #expect(gradients.inputs[i].shape == input.shape)
      #expect(Reference.relativeError(gradients.inputs[i].storage, part.storage) < 1e-5)
      c0 += input.channels
    }
  }

  @Test func resultsAreBitIdenticalForAnyThreadCount() {
    var rng = RandomSource(seed: 3)
    let input = Reference.randomTensor(20, 27, 31, rng: &rng)
    let layer = Convolution2D(
      inputChannels: 20, outputChannels: 16, kernelSize: 3,
      weights: Reference.randomArray(16 * 20 * 9, rng: &rng), bias: Reference.randomArray(16, rng: &rng))
    let one = layer.forward([input], relu: true, parallel: Parallel(threads: 1))
    let g = Reference.randomTensor(16, 25, 29, rng: &rng)
    let backOne = layer.backward(inputs: [input], output: one, outputGradient: g, relu: true, parallel: Parallel(threads: 1))
    for threads in [2, 3] {
      let parallel = Parallel(threads: threads)
      let other = layer.forward([input], relu: true, parallel: parallel)
      #expect(Reference.identical(other.storage, one.storage))
      let back = layer.backward(inputs: [input], output: other, outputGradient: g, relu: true, parallel: parallel)
      #expect(Reference.identical(back.weights, backOne.weights))
      #expect(Reference.identical(back.inputs[0].storage, backOne.inputs[0].storage))
    }
  }
}

@Suite struct UpConvolutionTests {
  // 300 input channels: more than one GEMM depth block, so partial sums accumulate in the output.
  @Test(arguments: [(5, 3, 4, 7, false), (8, 4, 13, 11, true), (64, 2, 3, 5, true), (300, 3, 5, 9, true)])
  func forwardAndBackwardMatchTheNaiveReference(
    cin: Int, cout: Int, h: Int, w: Int, relu: Bool
  ) {
    var rng = RandomSource(seed: 11)
    let input = Reference.randomTensor(cin, h, w, rng: &rng)
    let layer = UpConvolution2D(
      inputChannels: cin, outputChannels: cout,
      weights: Reference.randomArray(cin * cout * 4, rng: &rng), bias: Reference.randomArray(cout, rng: &rng))
    let parallel = Parallel(threads: 2)
    let output = layer.forward(input, relu: relu, parallel: parallel)
    let expected = Reference.upconv(input, weights: layer.weights, bias: layer.bias, cout: cout, relu: relu)
    #expect(output.shape == expected.shape)
    #expect(Reference.relativeError(output.storage, expected.storage) < 1e-5)

    let g = Reference.randomTensor(cout, 2 * h, 2 * w, rng: &rng)
    let gradients = layer.backward(input: input, output: output, outputGradient: g, relu: relu, parallel: parallel)
    let pre = relu ? Reference.reluMask(g, output: output) : g
    let reference = Reference.upconvBackward(input, weights: layer.weights, cout: cout, preGradient: pre)
    #expect(Reference.relativeError(gradients.input.storage, reference.input.storage) < 1e-5)
    #expect(Reference.relativeError(gradients.weights, reference.weights) < 1e-5)
    #expect(Reference.relativeError(gradients.bias, reference.bias) < 1e-5)
  }
}

@Suite struct MaxPoolTests {
  @Test func handComputedFourByFour() {
    let input = Tensor(
      shape: Shape(channels: 1, height: 4, width: 4),
      storage: [1, 2, 5, 5,
                4, 3, 6, 0,
                -1, -2, 7, 8,
                -3, -4, 9, 9])
    let parallel = Parallel(threads: 1)
    #expect(MaxPool2D.forward(input, parallel: parallel).storage == [4, 6, -1, 9])
    let g = Tensor(shape: Shape(channels: 1, height: 2, width: 2), storage: [10, 20, 30, 40])
    // Ties (5, 5 and 9, 9) go to the first maximum in row-major order.
    #expect(
      MaxPool2D.backward(input: input, outputGradient: g, parallel: parallel).storage == [
        0, 0, 0, 0,
        10, 0, 20, 0,
        30, 0, 0, 0,
        0, 0, 40, 0,
      ])
  }

  @Test func forwardMatchesTheNaiveReference() {
    var rng = RandomSource(seed: 5)
    let input = Reference.randomTensor(5, 14, 22, rng: &rng)
    let output = MaxPool2D.forward(input, parallel: Parallel(threads: 2))
    #expect(Reference.identical(output.storage, Reference.maxPool(input).storage))
    let g = Reference.randomTensor(5, 7, 11, rng: &rng)
    let dIn = MaxPool2D.backward(input: input, outputGradient: g, parallel: Parallel(threads: 2))
    // Every output gradient lands exactly once, on a maximum of its window.
    for c in 0..<5 {
      for y in 0..<7 {
        for x in 0..<11 {
          var total: Float = 0
          for dy in 0..<2 {
            for dx in 0..<2 {
              let v = dIn[c, 2 * y + dy, 2 * x + dx]
              if v != 0 { #expect(input[c, 2 * y + dy, 2 * x + dx] == output[c, y, x]) }
              total += v
            }
          }
          #expect(total == g[c, y, x])
        }
      }
    }
  }
}
