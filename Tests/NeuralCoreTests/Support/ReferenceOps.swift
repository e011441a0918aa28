import NeuralCore

/// Naive, plainly written reference implementations (the oracle for the fast kernels).
enum Reference {
  static func randomTensor(_ c: Int, _ h: Int, _ w: Int, rng: inout RandomSource) -> Tensor {
    var t = Tensor(channels: c, height: h, width: w)
    for i in 0..<t.storage.count { t.storage[i] = rng.nextUniform() * 2 - 1 }
    return t
  }

  static func randomArray(_ n: Int, scale: Float = 1, rng: inout RandomSource) -> [Float] {
    (0..<n).map { _ in (rng.nextUniform() * 2 - 1) * scale }
  }

  /// Centre-crops every input to the smallest size and stacks their channels.
  static func cropConcat(_ inputs: [Tensor]) -> Tensor {
    ReferenceMap.cropConcat(inputs.map(ReferenceMap.init)).tensor
  }

  static func conv(
    _ input: Tensor, weights: [Float], bias: [Float], cout: Int, k: Int, relu: Bool
  ) -> Tensor {
    ReferenceMap(input).conv(
      weights: weights.map(Double.init), bias: bias.map(Double.init), k: k, relu: relu
    ).tensor
  }

  /// Gradients of a convolution given the gradient before the activation.
  static func convBackward(
    _ input: Tensor, weights: [Float], cout: Int, k: Int, preGradient g: Tensor
  ) -> (input: Tensor, weights: [Float], bias: [Float]) {
    let cin = input.channels
    var dIn = Tensor(shape: input.shape)
    var dW = [Double](repeating: 0, count: weights.count)
    var db = [Double](repeating: 0, count: cout)
    var dInD = [Double](repeating: 0, count: input.storage.count)
    for co in 0..<cout {
      for y in 0..<g.height {
        for x in 0..<g.width {
          let gv = Double(g[co, y, x])
          db[co] += gv
          for ci in 0..<cin {
            for ky in 0..<k {
              for kx in 0..<k {
                let wi = ((co * cin + ci) * k + ky) * k + kx
                dW[wi] += gv * Double(input[ci, y + ky, x + kx])
                dInD[input.shape.offset(channel: ci, y: y + ky, x: x + kx)] += gv * Double(weights[wi])
              }
            }
          }
        }
      }
    }
    for i in 0..<dInD.count { dIn.storage[i] = Float(dInD[i]) }
    return (dIn, dW.map { Float($0) }, db.map { Float($0) })
  }

  static func upconv(_ input: Tensor, weights: [Float], bias: [Float], cout: Int, relu: Bool) -> Tensor {
    ReferenceMap(input).upconv(weights: weights.map(Double.init), bias: bias.map(Double.init), relu: relu).tensor
  }

  static func upconvBackward(
    _ input: Tensor, weights: [Float], cout: Int, preGradient g: Tensor
  ) -> (input: Tensor, weights: [Float], bias: [Float]) {
    let cin = input.channels
    var dIn = Tensor(shape: input.shape)
    var dW = [Float](repeating: 0, count: weights.count)
    var db = [Float](repeating: 0, count: cout)
    for co in 0..<cout {
      for y in 0..<g.height {
        for x in 0..<g.width {
          let gv = g[co, y, x]
          db[co] += gv
          for ci in 0..<cin {
            let wi = ((ci * cout + co) * 2 + y % 2) * 2 + x % 2
            dW[wi] += gv * input[ci, y / 2, x / 2]
            dIn[ci, y / 2, x / 2] += gv * weights[wi]
          }
        }
      }
    }
    return (dIn, dW, db)
  }

  static func maxPool(_ input: Tensor) -> Tensor { ReferenceMap(input).maxPool().tensor }

  /// ReLU's backward: g where the activated output is positive.
  static func reluMask(_ g: Tensor, output: Tensor, scale: Float = 1) -> Tensor {
    var r = g
    for i in 0..<r.storage.count { r.storage[i] = output.storage[i] > 0 ? g.storage[i] * scale : 0 }
    return r
  }

  static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "size \(a.count) ≠ \(b.count)")
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
  }

  /// Max |a-b| relative to max(1, max |b|).
  static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    let scale = max(1, b.map { abs($0) }.max() ?? 0)
    return maxAbsDifference(a, b) / scale
  }

  /// Bitwise equality of two arrays (a Bool, so a failing expectation does not print them).
  static func identical(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
  }
}
