import Dispatch

/// Wall-clock time of one layer in one pass, recorded when a workspace profiles
/// (`UNetWorkspace.isProfiling`): where the time of a forward pass or training step goes.
public struct LayerTiming: Sendable, Equatable {
  /// Layer name as in `UNetParameterLayout` (`down0.conv0`, `up1.upconv`, …), or `down0.pool`,
  /// `loss`, `optimizer`.
  public let layer: String
  /// `conv3x3`, `conv1x1`, `upconv2x2`, `maxpool`, `dropout`, `loss`, `optimizer`.
  public let kind: String
  /// `forward` or `backward` (the optimiser counts as `backward`).
  public let phase: String
  public let seconds: Double
  /// Multiply-adds × 2 of the layer's GEMMs in this phase (0 for the cheap element-wise ones).
  public let flops: Int
}

extension UNetWorkspace {
  /// Runs `body`, recording its time when profiling.
  func measure(
    _ layer: String, kind: String, phase: String, flops: Int = 0, _ body: () -> Void
  ) {
    guard isProfiling else {
      body()
      return
    }
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    timings.append(LayerTiming(layer: layer, kind: kind, phase: phase, seconds: seconds, flops: flops))
  }
}
