/// Gradient-descent optimisers over a flat parameter vector, with all their state in plain
/// values so that a model file can save it and training resumes exactly (`ModelFile`).
///
/// - SGD with momentum, the paper's choice (momentum 0.99 with a batch of one large tile, so
///   that many previously seen samples determine the update), in the Caffe form
///   v ← μ·v − η·(g + λ·θ),  θ ← θ + v.
/// - Adam (Kingma & Ba 2015), the default of the authors' later Fiji plug-in (η = 1e-4):
///   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − η·m̂/(√v̂ + ε) with the bias-corrected
///   m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), and g = ∇ + λ·θ (L2 weight decay, not AdamW's).
///
/// The state buffers are empty until the first update and then have one float per parameter.
public struct Optimizer: Sendable, Equatable {
  public enum Method: Sendable, Equatable {
    case sgd(momentum: Float)
    case adam(beta1: Float, beta2: Float, epsilon: Float)
  }

  public var method: Method
  public var learningRate: Float
  public var weightDecay: Float
  /// Updates applied so far (Adam's t).
  public private(set) var step: Int
  /// SGD: the velocity v. Adam: the first moment m.
  public private(set) var firstMoment: [Float]
  /// Adam: the second moment v. Empty for SGD.
  public private(set) var secondMoment: [Float]

  /// SGD with momentum (paper: momentum 0.99).
  public static func sgd(learningRate: Float, momentum: Float = 0.99, weightDecay: Float = 0) -> Optimizer {
    Optimizer(method: .sgd(momentum: momentum), learningRate: learningRate, weightDecay: weightDecay)
  }

  /// Adam (default learning rate 1e-4, as the authors' Fiji plug-in).
  public static func adam(
    learningRate: Float = 1e-4, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0
  ) -> Optimizer {
    Optimizer(
      method: .adam(beta1: beta1, beta2: beta2, epsilon: epsilon), learningRate: learningRate,
      weightDecay: weightDecay)
  }

  /// A fresh optimiser (no state yet).
  public init(method: Method, learningRate: Float, weightDecay: Float = 0) {
    self.method = method
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.step = 0
    self.firstMoment = []
    self.secondMoment = []
  }

  /// An optimiser with saved state (from a model file). Buffers must be empty or, SGD: one
  /// velocity; Adam: two moments of equal length.
  public init(
    method: Method, learningRate: Float, weightDecay: Float, step: Int, firstMoment: [Float],
    secondMoment: [Float]
  ) {
    self.method = method
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.step = step
    self.firstMoment = firstMoment
    self.secondMoment = secondMoment
  }

  /// One update of `parameters` along `gradient` (same count).
  public mutating func update(parameters: inout [Float], gradient: [Float], parallel: Parallel) {
    precondition(
      parameters.count == gradient.count,
      "Optimizer.update: \(parameters.count) parameters, \(gradient.count) gradients")
    parameters.withUnsafeMutableBufferPointer { p in
      gradient.withUnsafeBufferPointer { g in
        update(parameters: Pointers.base(p), gradient: Pointers.base(g), count: p.count, parallel: parallel)
      }
    }
  }

  mutating func update(
    parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
    parallel: Parallel
  ) {
    step += 1
    switch method {
    case .sgd(let momentum):
      if firstMoment.count != count { firstMoment = [Float](repeating: 0, count: count) }
      let rate = learningRate
      let decay = weightDecay
      firstMoment.withUnsafeMutableBufferPointer { v in
        let velocity = Pointers.base(v)
        Optimizer.vectorLoop(count: count, parallel: parallel) { i in
          let theta = MicroKernel.load(parameters + i)
          let g = MicroKernel.load(gradient + i) + decay * theta
          let newVelocity = momentum * MicroKernel.load(velocity + i) - rate * g
          MicroKernel.store(newVelocity, velocity + i)
          MicroKernel.store(theta + newVelocity, parameters + i)
        } scalar: { i in
          let g = gradient[i] + decay * parameters[i]
          velocity[i] = momentum * velocity[i] - rate * g
          parameters[i] += velocity[i]
        }
      }
    case .adam(let beta1, let beta2, let epsilon):
      if firstMoment.count != count { firstMoment = [Float](repeating: 0, count: count) }
      if secondMoment.count != count { secondMoment = [Float](repeating: 0, count: count) }
      let t = Double(step)
      let correction1 = Float(1 - Elementary.pow(Double(beta1), t))
      let correction2 = Float(1 - Elementary.pow(Double(beta2), t))
      // θ −= η·(m/c₁)/(√(v/c₂) + ε)
      let rate = learningRate / correction1
      let inverseCorrection2 = 1 / correction2
      let decay = weightDecay
      firstMoment.withUnsafeMutableBufferPointer { mBuffer in
        secondMoment.withUnsafeMutableBufferPointer { vBuffer in
          let m = Pointers.base(mBuffer)
          let v = Pointers.base(vBuffer)
          Optimizer.vectorLoop(count: count, parallel: parallel) { i in
            let theta = MicroKernel.load(parameters + i)
            let g = MicroKernel.load(gradient + i) + decay * theta
            let newM = beta1 * MicroKernel.load(m + i) + (1 - beta1) * g
            let newV = beta2 * MicroKernel.load(v + i) + (1 - beta2) * g * g
            MicroKernel.store(newM, m + i)
            MicroKernel.store(newV, v + i)
            let denominator = (newV * inverseCorrection2).squareRoot() + epsilon
            MicroKernel.store(theta - rate * newM / denominator, parameters + i)
          } scalar: { i in
            let g = gradient[i] + decay * parameters[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            parameters[i] -= rate * m[i] / ((v[i] * inverseCorrection2).squareRoot() + epsilon)
          }
        }
      }
    }
  }

  /// Runs `vector(i)` on 8-float groups and `scalar(i)` on the tail, split over threads.
  private static func vectorLoop(
    count: Int, parallel: Parallel, vector: (Int) -> Void, scalar: (Int) -> Void
  ) {
    let groups = count / 8
    parallel.forEachRange(count: groups) { range in
      for group in range { vector(group * 8) }
    }
    for i in (groups * 8)..<count { scalar(i) }
  }
}
