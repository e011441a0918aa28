import NeuralCore

/// Gentle gray-value changes for training tiles (the paper's robustness to "gray value
/// variations"): per channel, v ↦ gain · sign(v)·|v|^gamma + offset.
///
/// The power is applied to |v| with the sign kept, so it is defined, continuous and monotone
/// for normalised values slightly below 0 as well; 0 and ±1 stay fixed under the gamma.
public struct IntensityJitter: Sendable, Equatable {
  /// One value per channel.
  public var gain: [Float]
  public var offset: [Float]
  public var gamma: [Float]

  public init(gain: [Float], offset: [Float], gamma: [Float]) {
    precondition(
      gain.count == offset.count && gain.count == gamma.count,
      "IntensityJitter: \(gain.count) gains, \(offset.count) offsets, \(gamma.count) gammas")
    self.gain = gain
    self.offset = offset
    self.gamma = gamma
  }

  /// Independent draws per channel within the ranges of `options` (see `AugmentationOptions`).
  public init(channels: Int, options: AugmentationOptions, random: inout RandomSource) {
    var gain: [Float] = []
    var offset: [Float] = []
    var gamma: [Float] = []
    let logGamma = Elementary.log(1 + options.gammaRange)
    for _ in 0..<channels {
      gain.append(1 + options.gainRange * (2 * random.nextUniform() - 1))
      offset.append(options.offsetRange * (2 * random.nextUniform() - 1))
      gamma.append(Elementary.exp(logGamma * (2 * random.nextUniform() - 1)))
    }
    self.init(gain: gain, offset: offset, gamma: gamma)
  }

  /// Applies the change to every channel of `tile` (C×H×W, C = number of channels here).
  public func apply(to tile: inout Tensor) {
    precondition(tile.channels == gain.count, "IntensityJitter: \(gain.count) channels for \(tile.shape)")
    let plane = tile.shape.planeSize
    var values = [Float](repeating: 0, count: tile.shape.count)
    tile.storage.withUnsafeBufferPointer { source in
      for c in 0..<gain.count {
        let (g, o, e) = (gain[c], offset[c], gamma[c])
        for i in (c * plane)..<((c + 1) * plane) {
          let v = source[i]
          let powered = e == 1 || v == 0 ? v : (v < 0 ? -Elementary.pow(-v, e) : Elementary.pow(v, e))
          values[i] = g * powered + o
        }
      }
    }
    tile = Tensor(shape: tile.shape, storage: values)
  }
}
