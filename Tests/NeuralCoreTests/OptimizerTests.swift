import NeuralCore
import Testing

@Suite struct OptimizerTests {
  @Test func sgdWithMomentumFollowsTheCaffeUpdate() {
    var optimizer = Optimizer.sgd(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
    var theta: [Float] = [1, -2, 0.5]
    let g1: [Float] = [0.5, 1, -1]
    let g2: [Float] = [-1, 0, 2]
    var v = [Double](repeating: 0, count: 3)
    var expected = theta.map(Double.init)
    for g in [g1, g2] {
      optimizer.update(parameters: &theta, gradient: g, parallel: Parallel(threads: 1))
      for i in 0..<3 {
        v[i] = 0.9 * v[i] - 0.1 * (Double(g[i]) + 0.01 * expected[i])
        expected[i] += v[i]
      }
    }
    #expect(optimizer.step == 2)
    for i in 0..<3 { #expect(abs(Double(theta[i]) - expected[i]) < 1e-6) }
    for i in 0..<3 { #expect(abs(Double(optimizer.firstMoment[i]) - v[i]) < 1e-6) }
  }

  @Test func adamFollowsKingmaAndBa() {
    var optimizer = Optimizer.adam(learningRate: 0.01)
    var theta: [Float] = [1, -2, 0.5]
    var m = [Double](repeating: 0, count: 3)
    var s = [Double](repeating: 0, count: 3)
    var expected = theta.map(Double.init)
    for t in 1...3 {
      let g: [Float] = [Float(t), -0.5, 0.1 * Float(t)]
      optimizer.update(parameters: &theta, gradient: g, parallel: Parallel(threads: 1))
      for i in 0..<3 {
        m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
        s[i] = 0.999 * s[i] + 0.001 * Double(g[i]) * Double(g[i])
        let mHat = m[i] / (1 - Double.pow(0.9, Double(t)))
        let sHat = s[i] / (1 - Double.pow(0.999, Double(t)))
        expected[i] -= 0.01 * mHat / (sHat.squareRoot() + 1e-8)
      }
    }
    for i in 0..<3 { #expect(abs(Double(theta[i]) - expected[i]) < 1e-5) }
  }

  /// The vectorised, threaded update equals the same update done one element at a time.
  @Test(arguments: [Optimizer.sgd(learningRate: 0.05), Optimizer.adam(learningRate: 0.001, weightDecay: 0.1)])
  func vectorAndTailPathsAgree(_ start: Optimizer) {
    var rng = RandomSource(seed: 9)
    let count = 1003
    let theta0 = Reference.randomArray(count, rng: &rng)
    let g = Reference.randomArray(count, rng: &rng)
    var whole = start
    var theta = theta0
    whole.update(parameters: &theta, gradient: g, parallel: Parallel(threads: 3))
    whole.update(parameters: &theta, gradient: g, parallel: Parallel(threads: 3))
    for i in [0, 7, 8, 500, 999, 1000, 1002] {
      var single = start
      var one = [theta0[i]]
      single.update(parameters: &one, gradient: [g[i]], parallel: Parallel(threads: 1))
      single.update(parameters: &one, gradient: [g[i]], parallel: Parallel(threads: 1))
      #expect(abs(one[0] - theta[i]) <= 1e-6 * max(1, abs(one[0])), "element \(i)")
    }
  }
}
