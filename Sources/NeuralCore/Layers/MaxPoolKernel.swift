/// 2×2 max-pooling with stride 2, forward and backward on raw memory (the public form is
/// `MaxPool2D`).
///
///     out[c, y, x] = max(in[c, 2y, 2x], in[c, 2y, 2x+1], in[c, 2y+1, 2x], in[c, 2y+1, 2x+1])
///
/// The backward pass routes each output gradient to the first maximum in that order
/// (row-major), recomputed from the input: no index cache is kept.
enum MaxPoolKernel {
  /// `input` dense C × H × W with H, W even; `output` dense C × H/2 × W/2.
  static func forward(
    input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
    output: UnsafeMutablePointer<Float>, parallel: Parallel
  ) {
    precondition(height % 2 == 0 && width % 2 == 0, "MaxPool2D: odd input \(height)×\(width)")
    let ow = width / 2
    forEachOutputRow(of: input, channels: channels, height: height, width: width, parallel: parallel) {
      r, top, bottom in
      let out = output + r * ow
      for x in 0..<ow {
        out[x] = Swift.max(
          Swift.max(top[2 * x], top[2 * x + 1]), Swift.max(bottom[2 * x], bottom[2 * x + 1]))
      }
    }
  }

  /// Writes every element of `inputGradient` (dense C × H × W).
  static func backward(
    input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, channels: Int,
    height: Int, width: Int, inputGradient: UnsafeMutablePointer<Float>, parallel: Parallel
  ) {
    let ow = width / 2
    forEachOutputRow(of: input, channels: channels, height: height, width: width, parallel: parallel) {
      r, top, bottom in
      let gTop = inputGradient + 2 * r * width
      let gBottom = gTop + width
      let g = outputGradient + r * ow
      for x in 0..<ow {
        let a = top[2 * x]
        let b = top[2 * x + 1]
        let c = bottom[2 * x]
        let d = bottom[2 * x + 1]
        let m = Swift.max(Swift.max(a, b), Swift.max(c, d))
        let gradient = g[x]
        // The first maximum in row-major order takes the gradient.
        let which = a == m ? 0 : (b == m ? 1 : (c == m ? 2 : 3))
        gTop[2 * x] = which == 0 ? gradient : 0
        gTop[2 * x + 1] = which == 1 ? gradient : 0
        gBottom[2 * x] = which == 2 ? gradient : 0
        gBottom[2 * x + 1] = which == 3 ? gradient : 0
      }
    }
  }

  /// Calls `body(r, top, bottom)` for every output row r (all channels' rows in sequence)
  /// with the two input rows it pools, spread over the threads.
  @inline(__always)
  private static func forEachOutputRow(
    of input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, parallel: Parallel,
    _ body: (Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void
  ) {
    parallel.forEachRange(count: channels * (height / 2)) { range in
      for r in range {
        let top = input + 2 * r * width
        body(r, top, top + width)
      }
    }
  }
}
