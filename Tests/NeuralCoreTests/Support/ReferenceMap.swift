import NeuralCore

/// Feature maps in Double precision with plainly written layers: the oracle for the fast
/// kernels (through `Reference`) and for the whole network (`NaiveUNet`).
struct ReferenceMap {
  var c: Int
  var h: Int
  var w: Int
  var v: [Double]

  init(c: Int, h: Int, w: Int) {
    self.c = c
    self.h = h
    self.w = w
    v = [Double](repeating: 0, count: c * h * w)
  }

  init(_ t: Tensor) {
    self.init(c: t.channels, h: t.height, w: t.width)
    v = t.storage.map(Double.init)
  }

  var tensor: Tensor { Tensor(shape: Shape(channels: c, height: h, width: w), storage: v.map(Float.init)) }

  subscript(c: Int, y: Int, x: Int) -> Double {
    get { v[(c * h + y) * w + x] }
    set { v[(c * h + y) * w + x] = newValue }
  }

  /// Valid k×k convolution, weights [Cout][Cin][k][k].
  func conv(weights: [Double], bias: [Double], k: Int, relu: Bool) -> ReferenceMap {
    var out = ReferenceMap(c: bias.count, h: h - k + 1, w: w - k + 1)
    for co in 0..<out.c {
      for y in 0..<out.h {
        for x in 0..<out.w {
          var sum = bias[co]
          for ci in 0..<c {
            for ky in 0..<k {
              for kx in 0..<k { sum += weights[((co * c + ci) * k + ky) * k + kx] * self[ci, y + ky, x + kx] }
            }
          }
          out[co, y, x] = relu ? max(sum, 0) : sum
        }
      }
    }
    return out
  }

  /// 2×2 stride-2 transposed convolution, weights [Cin][Cout][2][2].
  func upconv(weights: [Double], bias: [Double], relu: Bool) -> ReferenceMap {
    var out = ReferenceMap(c: bias.count, h: 2 * h, w: 2 * w)
    for co in 0..<out.c {
      for y in 0..<out.h {
        for x in 0..<out.w {
          var sum = bias[co]
          for ci in 0..<c { sum += weights[((ci * out.c + co) * 2 + y % 2) * 2 + x % 2] * self[ci, y / 2, x / 2] }
          out[co, y, x] = relu ? max(sum, 0) : sum
        }
      }
    }
    return out
  }

  func maxPool() -> ReferenceMap {
    var out = ReferenceMap(c: c, h: h / 2, w: w / 2)
    for ch in 0..<c {
      for y in 0..<out.h {
        for x in 0..<out.w {
          out[ch, y, x] = max(
            max(self[ch, 2 * y, 2 * x], self[ch, 2 * y, 2 * x + 1]),
            max(self[ch, 2 * y + 1, 2 * x], self[ch, 2 * y + 1, 2 * x + 1]))
        }
      }
    }
    return out
  }

  /// Centre-crops every map to the smallest size and stacks their channels.
  static func cropConcat(_ maps: [ReferenceMap]) -> ReferenceMap {
    let h = maps.map(\.h).min() ?? 0
    let w = maps.map(\.w).min() ?? 0
    var out = ReferenceMap(c: maps.reduce(0) { $0 + $1.c }, h: h, w: w)
    var c0 = 0
    for m in maps {
      let top = (m.h - h) / 2
      let left = (m.w - w) / 2
      for ch in 0..<m.c {
        for y in 0..<h {
          for x in 0..<w { out[c0 + ch, y, x] = m[ch, y + top, x + left] }
        }
      }
      c0 += m.c
    }
    return out
  }
}
