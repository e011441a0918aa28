import NeuralCore

/// A plainly written U-Net in Double precision: the oracle for the fast network's forward
/// pass and, through finite differences, for its gradient.
struct NaiveUNet {
  struct Map {
    var c: Int
    var s: Int
    var v: [Double]
    init(c: Int, s: Int) {
      self.c = c
      self.s = s
      v = [Double](repeating: 0, count: c * s * s)
    }
    subscript(c: Int, y: Int, x: Int) -> Double {
      get { v[(c * s + y) * s + x] }
      set { v[(c * s + y) * s + x] = newValue }
    }
  }

  let configuration: UNetConfiguration
  let layout: UNetParameterLayout
  var parameters: [Double]

  init(network: UNet) {
    configuration = network.configuration
    layout = network.layout
    parameters = network.parameters.map(Double.init)
  }

  private func slice(_ name: String) -> ArraySlice<Double> {
    guard let entry = layout.entry(named: name) else { fatalError("no parameter \(name)") }
    return parameters[entry.range]
  }

  func conv(_ x: Map, _ name: String, k: Int, relu: Bool) -> Map {
    let w = Array(slice(name + ".weight"))
    let b = Array(slice(name + ".bias"))
    var out = Map(c: b.count, s: x.s - k + 1)
    for co in 0..<out.c {
      for y in 0..<out.s {
        for xx in 0..<out.s {
          var sum = b[co]
          for ci in 0..<x.c {
            for ky in 0..<k {
              for kx in 0..<k { sum += w[((co * x.c + ci) * k + ky) * k + kx] * x[ci, y + ky, xx + kx] }
            }
          }
          out[co, y, xx] = relu ? max(sum, 0) : sum
        }
      }
    }
    return out
  }

  func upconv(_ x: Map, _ name: String) -> Map {
    let w = Array(slice(name + ".weight"))
    let b = Array(slice(name + ".bias"))
    var out = Map(c: b.count, s: 2 * x.s)
    for co in 0..<out.c {
      for y in 0..<out.s {
        for xx in 0..<out.s {
          var sum = b[co]
          for ci in 0..<x.c { sum += w[((ci * out.c + co) * 2 + y % 2) * 2 + xx % 2] * x[ci, y / 2, xx / 2] }
          out[co, y, xx] = max(sum, 0)
        }
      }
    }
    return out
  }

  func pool(_ x: Map) -> Map {
    var out = Map(c: x.c, s: x.s / 2)
    for c in 0..<x.c {
      for y in 0..<out.s {
        for xx in 0..<out.s {
          out[c, y, xx] = max(
            max(x[c, 2 * y, 2 * xx], x[c, 2 * y, 2 * xx + 1]),
            max(x[c, 2 * y + 1, 2 * xx], x[c, 2 * y + 1, 2 * xx + 1]))
        }
      }
    }
    return out
  }

  func cropConcat(_ skip: Map, _ up: Map) -> Map {
    var out = Map(c: skip.c + up.c, s: up.s)
    let m = (skip.s - up.s) / 2
    for c in 0..<skip.c {
      for y in 0..<up.s { for x in 0..<up.s { out[c, y, x] = skip[c, y + m, x + m] } }
    }
    for c in 0..<up.c {
      for y in 0..<up.s { for x in 0..<up.s { out[skip.c + c, y, x] = up[c, y, x] } }
    }
    return out
  }

  func dropout(_ x: inout Map, rng: inout RandomSource) {
    let p = configuration.dropout
    for i in 0..<x.v.count {
      x.v[i] = rng.nextUniform() < p ? 0 : x.v[i] * Double(1 / (1 - p))
    }
  }

  /// Logits; `rng` supplies dropout draws (nil: inference).
  func forward(_ input: Tensor, rng: RandomSource?) -> Map {
    var rng = rng
    var x = Map(c: input.channels, s: input.height)
    x.v = input.storage.map(Double.init)
    let depth = configuration.depth
    var skips: [Map] = []
    for level in 0...depth {
      x = conv(x, "down\(level).conv0", k: 3, relu: true)
      x = conv(x, "down\(level).conv1", k: 3, relu: true)
      if var r = rng, configuration.dropout > 0, level >= depth - 1 {
        dropout(&x, rng: &r)
        rng = r
      }
      if level < depth {
        skips.append(x)
        x = pool(x)
      }
    }
    for level in (0..<depth).reversed() {
      let up = upconv(x, "up\(level).upconv")
      x = conv(cropConcat(skips[level], up), "up\(level).conv0", k: 3, relu: true)
      x = conv(x, "up\(level).conv1", k: 3, relu: true)
    }
    return conv(x, "final", k: 1, relu: false)
  }

  /// Mean over pixels of w · −log softmax(target).
  func loss(_ input: Tensor, targets: [Int32], weights: [Float], rng: RandomSource?) -> Double {
    let logits = forward(input, rng: rng)
    let pixels = logits.s * logits.s
    var total = 0.0
    for i in 0..<pixels {
      let z = (0..<logits.c).map { logits.v[$0 * pixels + i] }
      let m = z.max() ?? 0
      let logSum = m + Double.log(z.reduce(0) { $0 + Double.exp($1 - m) })
      if weights[i] > 0 { total += Double(weights[i]) * (logSum - z[Int(targets[i])]) }
    }
    return total / Double(pixels)
  }
}
