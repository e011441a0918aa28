/// The first step of every backward pass through a layer with bias and (optionally) ReLU:
/// dPre = scale · dOut ⊙ [out > 0], the bias gradient db[c] = Σ dPre[c], and dPre written
/// into a zero-bordered buffer (a border of `pad` zeros on every side) so that the input
/// gradient of a valid convolution becomes a valid convolution of it ("full" correlation).
///
/// `scale` carries inverted dropout: the dropped-out values are zero, so `out > 0` already
/// masks them, and the kept ones were multiplied by `scale` on the way forward.
enum GradientMasking {
  /// - Parameters:
  ///   - outputGradient: dOut, dense C × h × w.
  ///   - output: the layer's output after ReLU (and dropout), dense C × h × w; nil when the
  ///     layer has no ReLU.
  ///   - destination: C × (h + 2 pad) × (w + 2 pad), fully overwritten.
  ///   - biasGradient: C floats, overwritten.
  static func run(
    outputGradient: UnsafePointer<Float>, output: UnsafePointer<Float>?, channels: Int,
    height h: Int, width w: Int, scale: Float, pad: Int,
    destination: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>,
    parallel: Parallel
  ) {
    let paddedWidth = w + 2 * pad
    let paddedPlane = (h + 2 * pad) * paddedWidth
    let plane = h * w
    parallel.forEachRange(count: channels) { range in
      for c in range {
        let plane0 = destination + c * paddedPlane
        // Top and bottom borders.
        (plane0).initialize(repeating: 0, count: pad * paddedWidth)
        (plane0 + (pad + h) * paddedWidth).initialize(repeating: 0, count: pad * paddedWidth)
        var sum = SIMD8<Float>()
        var tailSum: Float = 0
        for y in 0..<h {
          let row = plane0 + (pad + y) * paddedWidth
          row.initialize(repeating: 0, count: pad)
          (row + pad + w).initialize(repeating: 0, count: pad)
          let d = row + pad
          let g = outputGradient + c * plane + y * w
          let scaleVector = SIMD8<Float>(repeating: scale)
          var x = 0
          if let output {
            let o = output + c * plane + y * w
            while x + 8 <= w {
              let value = (MicroKernel.load(g + x) * scaleVector).replacing(
                with: 0, where: MicroKernel.load(o + x) .<= 0)
              MicroKernel.store(value, d + x)
              sum += value
              x += 8
            }
            while x < w {
              let value = o[x] > 0 ? g[x] * scale : 0
              d[x] = value
              tailSum += value
              x += 1
            }
          } else {
            while x + 8 <= w {
              let value = MicroKernel.load(g + x) * scaleVector
              MicroKernel.store(value, d + x)
              sum += value
              x += 8
            }
            while x < w {
              let value = g[x] * scale
              d[x] = value
              tailSum += value
              x += 1
            }
          }
        }
        biasGradient[c] = sum.sum() + tailSum
      }
    }
  }
}
