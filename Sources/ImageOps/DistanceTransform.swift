/// Exact Euclidean distance transforms (Felzenszwalb & Huttenlocher, "Distance Transforms of
/// Sampled Functions", Theory of Computing 8, 2012).
///
/// The 2-D transform is separable: a pass along every column gives the distance to the nearest
/// feature pixel in that column, then the lower envelope of parabolas along every row turns
/// those into exact 2-D Euclidean distances. Linear time in the number of pixels, no chamfer
/// approximation. The weight map (Eq. 2) reuses the same pieces on windows around objects.

/// Distance from every pixel to the nearest pixel where `isFeature` is true (0 on features).
///
/// - Parameters:
///   - isFeature: row-major `width × height` mask, `isFeature[y * width + x]`.
/// - Returns: row-major distances in pixels; `+infinity` everywhere when there is no feature.
public func euclideanDistanceTransform(_ isFeature: [Bool], width: Int, height: Int) -> [Float] {
  var distances = squaredEuclideanDistanceTransform(isFeature, width: width, height: height)
  for i in distances.indices { distances[i] = distances[i].squareRoot() }
  return distances
}

/// Squared distance from every pixel to the nearest feature pixel (integer-valued, exact while
/// below 2^24; `+infinity` when there is no feature).
public func squaredEuclideanDistanceTransform(
  _ isFeature: [Bool], width: Int, height: Int
) -> [Float] {
  precondition(
    isFeature.count == width * height,
    "euclideanDistanceTransform: \(isFeature.count) mask values for \(width)×\(height)")
  var distances = [Float](repeating: .infinity, count: width * height)
  guard width > 0 && height > 0 else { return distances }
  // Column pass: distance to the nearest feature in the same column, in two sweeps.
  for y in 0..<height {
    for x in 0..<width {
      let p = y * width + x
      if isFeature[p] {
        distances[p] = 0
      } else if y > 0 {
        distances[p] = distances[p - width] + 1
      }
    }
  }
  if height > 1 {
    for y in stride(from: height - 2, through: 0, by: -1) {
      for x in 0..<width {
        let p = y * width + x
        distances[p] = min(distances[p], distances[p + width] + 1)
      }
    }
  }
  // Row pass: lower envelope of the parabolas (x - site)^2 + columnDistance(site)^2.
  var envelope = LowerEnvelope(capacity: width)
  distances.withUnsafeMutableBufferPointer { all in
    for y in 0..<height {
      envelope.removeAll()
      let row = y * width
      for x in 0..<width where all[row + x] < .infinity {
        let g = all[row + x]
        envelope.append(site: x, value: g * g)
      }
      envelope.evaluate(count: width) { x, value in all[row + x] = value }
    }
  }
  return distances
}

/// The lower envelope of the parabolas `q ↦ (q - site)^2 + value` for sites added in strictly
/// increasing order (the 1-D step of Felzenszwalb–Huttenlocher). Reusable: `removeAll()` keeps
/// the storage, so windows around thousands of objects allocate nothing.
struct LowerEnvelope {
  /// Sites (parabola vertices) on the envelope, left to right.
  private var sites: [Int]
  private var values: [Float]
  /// `starts[k]` is where parabola k begins to be the lowest; `starts[0]` is -infinity.
  private var starts: [Double]
  private(set) var count = 0

  init(capacity: Int) {
    sites = [Int](repeating: 0, count: max(capacity, 1))
    values = [Float](repeating: 0, count: max(capacity, 1))
    starts = [Double](repeating: 0, count: max(capacity, 1))
  }

  mutating func removeAll() { count = 0 }

  /// Adds the parabola with vertex at `site` (greater than every earlier site) and height `value`.
  mutating func append(site: Int, value: Float) {
    if count == sites.count {
      sites.append(0)
      values.append(0)
      starts.append(0)
    }
    let q = Double(site)
    let height = Double(value) + q * q
    while count > 0 {
      let last = count - 1
      let p = Double(sites[last])
      let intersection = (height - (Double(values[last]) + p * p)) / (2 * (q - p))
      if last > 0 && intersection <= starts[last] {
        count -= 1  // the last parabola is nowhere lowest any more
      } else {
        sites[count] = site
        values[count] = value
        starts[count] = intersection
        count += 1
        return
      }
    }
    sites[0] = site
    values[0] = value
    starts[0] = -.infinity
    count = 1
  }

  /// Calls `body(q, min over sites of (q - site)^2 + value)` for q in `0..<count` in order;
  /// the value is `+infinity` when the envelope is empty.
  func evaluate(count queries: Int, _ body: (Int, Float) -> Void) {
    guard count > 0 else {
      for q in 0..<queries { body(q, .infinity) }
      return
    }
    var k = 0
    for q in 0..<queries {
      while k + 1 < count && starts[k + 1] < Double(q) { k += 1 }
      let dx = Float(q - sites[k])
      body(q, dx * dx + values[k])
    }
  }
}
