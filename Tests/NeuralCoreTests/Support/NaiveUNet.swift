import NeuralCore

/// A plainly written U-Net in Double precision (`ReferenceMap`'s layers): the oracle for the
/// fast network's forward pass and, through finite differences, for its gradient.
struct NaiveUNet {
  let configuration: UNetConfiguration
  let layout: UNetParameterLayout
  var parameters: [Double]

  init(network: UNet) {
    configuration = network.configuration
    layout = network.layout
    parameters = network.parameters.map(Double.init)
  }

  private func values(_ name: String) -> [Double] {
    guard let entry = layout.entry(named: name) else { fatalError("no parameter \(name)") }
    return Array(parameters[entry.range])
  }

  private func conv(_ x: ReferenceMap, _ layer: String, k: Int = 3, relu: Bool = true) -> ReferenceMap {
    x.conv(weights: values(layer + ".weight"), bias: values(layer + ".bias"), k: k, relu: relu)
  }

  private func dropout(_ x: inout ReferenceMap, rng: inout RandomSource) {
    let p = configuration.dropout
    for i in 0..<x.v.count {
      x.v[i] = rng.nextUniform() < p ? 0 : x.v[i] * Double(1 / (1 - p))
    }
  }

  /// Logits; `rng` supplies the dropout draws (nil: inference).
  func forward(_ input: Tensor, rng: RandomSource?) -> ReferenceMap {
    var rng = rng
    var x = ReferenceMap(input)
    let depth = configuration.depth
    var skips: [ReferenceMap] = []
    for level in 0...depth {
      x = conv(conv(x, "down\(level).conv0"), "down\(level).conv1")
      if var r = rng, configuration.dropout > 0, level >= depth - 1 {
        dropout(&x, rng: &r)
        rng = r
      }
      if level < depth {
        skips.append(x)
        x = x.maxPool()
      }
    }
    for level in (0..<depth).reversed() {
      let name = "up\(level).upconv"
      let up = x.upconv(weights: values(name + ".weight"), bias: values(name + ".bias"), relu: true)
      x = conv(conv(ReferenceMap.cropConcat([skips[level], up]), "up\(level).conv0"), "up\(level).conv1")
    }
    return conv(x, "final", k: 1, relu: false)
  }

  /// Mean over pixels of w · −log softmax(target).
  func loss(_ input: Tensor, targets: [Int32], weights: [Float], rng: RandomSource?) -> Double {
    let logits = forward(input, rng: rng)
    let pixels = logits.h * logits.w
    var total = 0.0
    for i in 0..<pixels where weights[i] > 0 {
      let z = (0..<logits.c).map { logits.v[$0 * pixels + i] }
      let m = z.max() ?? 0
      let logSum = m + Double.log(z.reduce(0) { $0 + Double.exp($1 - m) })
      total += Double(weights[i]) * (logSum - z[Int(targets[i])])
    }
    return total / Double(pixels)
  }
}
