import NeuralCore

/// Per-image, per-channel percentile normalisation of network inputs.
///
/// Each channel is mapped linearly so that its `lowPercentile` goes to 0 and its
/// `highPercentile` to 1 (values beyond are kept, not clipped). Percentiles are robust to a
/// few hot or dead pixels, and a per-image mapping makes the network independent of the
/// camera's bit depth and exposure. Training and segmentation must agree, so the settings are
/// stored in the model file (`metadata`, `init?(metadata:)`).
///
/// Percentiles interpolate linearly between ranks, as NumPy's default: the p-th percentile of
/// n sorted values v is v[i] + f · (v[i+1] − v[i]) with i + f = p/100 · (n − 1).
/// A channel whose percentiles coincide falls back to its minimum and maximum; a constant
/// channel becomes all zeros. Values must be finite.
public struct IntensityNormalization: Sendable, Equatable {
  /// Percentile mapped to 0, in [0, 100).
  public var lowPercentile: Float
  /// Percentile mapped to 1, in (lowPercentile, 100].
  public var highPercentile: Float

  public init(lowPercentile: Float = 1, highPercentile: Float = 99.8) {
    precondition(
      lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100,
      "IntensityNormalization: need 0 ≤ low \(lowPercentile) < high \(highPercentile) ≤ 100")
    self.lowPercentile = lowPercentile
    self.highPercentile = highPercentile
  }

  /// The image with every channel mapped as described above; same shape (C×H×W).
  public func normalized(_ image: Tensor) -> Tensor {
    let plane = image.shape.planeSize
    guard plane > 0 else { return image }
    // Built in a local array: element-wise writes through `Tensor.storage` would copy it.
    var output = [Float](repeating: 0, count: image.shape.count)
    for channel in 0..<image.channels {
      let start = channel * plane
      let values = Array(image.storage[start..<(start + plane)])
      let (low, high) = mappedRange(values)
      let scale: Float = high > low ? 1 / (high - low) : 0
      for i in 0..<plane {
        output[start + i] = (values[i] - low) * scale
      }
    }
    return Tensor(shape: image.shape, storage: output)
  }

  /// The values mapped to 0 and 1 for one channel (equal for a constant channel).
  public func mappedRange(_ values: [Float]) -> (low: Float, high: Float) {
    precondition(!values.isEmpty, "IntensityNormalization: empty channel")
    var work = values
    let low = percentile(lowPercentile, of: &work)
    let high = percentile(highPercentile, of: &work)
    if high > low { return (low, high) }
    var minimum = values[0]
    var maximum = values[0]
    for value in values {
      minimum = min(minimum, value)
      maximum = max(maximum, value)
    }
    return (minimum, maximum)
  }

  // MARK: Model file

  /// Key/value pairs for the model file.
  public var metadata: [(String, String)] {
    [
      (Self.methodKey, Self.method),
      (Self.lowKey, lowPercentile.description),
      (Self.highKey, highPercentile.description),
    ]
  }

  /// Reads the settings back from `metadata`; nil when they are missing or invalid.
  public init?(metadata: [(String, String)]) {
    func value(_ key: String) -> String? { metadata.last { $0.0 == key }?.1 }
    guard value(Self.methodKey) == Self.method,
      let lowText = value(Self.lowKey), let low = Float(lowText),
      let highText = value(Self.highKey), let high = Float(highText),
      low >= 0, low < high, high <= 100
    else { return nil }
    self.init(lowPercentile: low, highPercentile: high)
  }

  static let methodKey = "normalization"
  static let method = "percentile"
  static let lowKey = "normalization.low_percentile"
  static let highKey = "normalization.high_percentile"
}

/// The `p`-th percentile (linear interpolation between ranks) of `values`, which it reorders.
func percentile(_ p: Float, of values: inout [Float]) -> Float {
  let position = Double(p) / 100 * Double(values.count - 1)
  let rank = min(Int(position), values.count - 1)
  let fraction = Float(position - Double(rank))
  let lower = selectElement(rank: rank, in: &values)
  guard fraction > 0 && rank + 1 < values.count else { return lower }
  // After selection everything right of `rank` is ≥ lower; the next rank is their minimum.
  var upper = values[rank + 1]
  for i in (rank + 2)..<values.count { upper = min(upper, values[i]) }
  return lower + fraction * (upper - lower)
}

/// The element that would sit at `rank` if `values` were sorted (quickselect with a
/// three-way partition, so runs of equal values cost linear time). Leaves smaller elements
/// before `rank` and larger ones after it. Pivots come from a fixed-seed generator, so the
/// expected time is linear for any input and the result is deterministic.
func selectElement(rank: Int, in values: inout [Float]) -> Float {
  precondition(rank >= 0 && rank < values.count, "selectElement: rank \(rank) of \(values.count)")
  var random = RandomSource(seed: 0x5E1E_C7)
  var low = 0
  var high = values.count  // the rank lies in low..<high
  return values.withUnsafeMutableBufferPointer { v in
    while high - low > 1 {
      let pivot = v[low + random.nextInt(below: high - low)]
      // v[low..<less] < pivot, v[less..<i] == pivot, v[greater..<high] > pivot.
      var less = low
      var i = low
      var greater = high
      while i < greater {
        if v[i] < pivot {
          v.swapAt(i, less)
          less += 1
          i += 1
        } else if v[i] > pivot {
          greater -= 1
          v.swapAt(i, greater)
        } else {
          i += 1
        }
      }
      if rank < less {
        high = less
      } else if rank >= greater {
        low = greater
      } else {
        return pivot
      }
    }
    return v[rank]
  }
}
