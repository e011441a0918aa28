/// The memory a U-Net pass works in: feature maps, gradients, packing buffers and the GEMM's
/// per-thread scratch, allocated on first use and reused by every later pass.
///
/// Keep one per worker job and pass it to every `forward`/`trainingStep`: the buffers then
/// fault in their pages once instead of once per tile (page faults are slow on the target
/// VMs). Inference keeps only what later layers still need (the skip maps and two scratch
/// maps); training keeps every activation for the backward pass. Not thread-safe: one pass
/// at a time.
public final class UNetWorkspace {
  public let parallel: Parallel
  let gemm: GEMMContext
  private var activations: [ActivationSlot: AlignedBuffer] = [:]
  /// Ping-pong buffers for the backward pass's activation gradients.
  let gradients = [AlignedBuffer(), AlignedBuffer()]
  /// The skip path's share of each decoder concatenation's gradient, per level.
  private var skipGradients: [AlignedBuffer] = []
  /// The zero-bordered, ReLU-masked output gradient of the layer being differentiated.
  let padded = AlignedBuffer()
  /// Weights prepacked for the GEMM, one layer at a time.
  let packing = AlignedBuffer()
  /// dLoss/dParameters, laid out like `UNet.parameters`.
  let parameterGradient = AlignedBuffer()

  /// The Winograd algorithm of the 3×3 convolutions that produce a map: the forward pass
  /// (inference and training) and the backward pass's input gradients (the same kind of
  /// convolution, with rotated filters). An F(4×4, 3×3) variant runs on the maps with enough
  /// tiles (`WinogradConvolution.variant`), F(2×2, 3×3) on the rest; `.f2x2` runs F(2×2)
  /// everywhere (the previous path, for comparison). The default, points 0, ±1, 2, −1/2, is
  /// the most accurate F(4×4) measured (`WinogradF4AccuracyTests`). Weight gradients always
  /// use F(2×2). (The name predates the input gradients' use of it.)
  public var forwardWinograd: WinogradVariant = .f4x4MixedPoints

  /// When true, every pass appends one `LayerTiming` per layer to `timings`.
  public var isProfiling = false
  /// The timings recorded since the last `resetTimings()`.
  public internal(set) var timings: [LayerTiming] = []

  public func resetTimings() { timings.removeAll() }

  /// How this build computes the convolutions (for benchmark reports): the 3×3 algorithm and
  /// the GEMM's register tile, which depends on the build flags (`-D NEURALCORE_AVX512`).
  public static let kernelDescription =
    "3x3: Winograd F(4x4,3x3) forward and input gradient (unless forwardWinograd = F(2x2)) on maps of >= \(WinogradConvolution.minimumF4x4Tiles) 4x4 tiles, "
    + "else F(2x2,3x3) (>= 16 input channels, even output), else implicit-im2col GEMM; packed GEMM, "
    + MicroKernel.summary

  public init(parallel: Parallel) {
    self.parallel = parallel
    self.gemm = GEMMContext(parallel: parallel)
  }

  /// Bytes currently allocated by this workspace (feature maps, gradients, scratch).
  public var allocatedBytes: Int {
    var floats = activations.values.reduce(0) { $0 + $1.capacity }
    floats += gradients.reduce(0) { $0 + $1.capacity } + skipGradients.reduce(0) { $0 + $1.capacity }
    floats += padded.capacity + packing.capacity + parameterGradient.capacity
    floats += gemm.scratch.reduce(0) { $0 + $1.packedA.capacity + $1.packedB.capacity + $1.tile.capacity }
    floats += gemm.winograd.capacity
    return floats * MemoryLayout<Float>.stride
  }

  /// A buffer of at least `count` floats for `slot`. In inference, maps that no later layer
  /// reads share two scratch buffers: the one not holding `input` is returned.
  func buffer(
    for slot: ActivationSlot, count: Int, training: Bool, notAliasing input: UnsafeMutablePointer<Float>? = nil
  ) -> UnsafeMutablePointer<Float> {
    let key: ActivationSlot
    if training || slot.isKeptInInference {
      key = slot
    } else {
      key = storage(.scratch(0)).pointer == input ? .scratch(1) : .scratch(0)
    }
    return storage(key).reserve(count)
  }

  /// The existing buffer of `slot` (which a previous call to `buffer(for:…)` sized).
  func existing(_ slot: ActivationSlot) -> UnsafeMutablePointer<Float> {
    guard let buffer = activations[slot] else {
      preconditionFailure("UNetWorkspace: \(slot) was not computed in this pass")
    }
    return buffer.pointer
  }

  func skipGradient(level: Int, count: Int) -> UnsafeMutablePointer<Float> {
    while skipGradients.count <= level { skipGradients.append(AlignedBuffer()) }
    return skipGradients[level].reserve(count)
  }

  private func storage(_ slot: ActivationSlot) -> AlignedBuffer {
    if let buffer = activations[slot] { return buffer }
    let buffer = AlignedBuffer()
    activations[slot] = buffer
    return buffer
  }
}

/// Names of the feature maps of one pass.
enum ActivationSlot: Hashable {
  case input
  /// Output of convolution `conv` (0, 1) of contracting level `level` (depth = the bottom).
  case down(level: Int, conv: Int, skip: Bool)
  case pooled(level: Int)
  case upsampled(level: Int)
  case up(level: Int, conv: Int)
  case logits
  case scratch(Int)

  /// Convolution `conv` of contracting level `level` in a network of `depth` poolings: the
  /// second convolution of every level above the bottom is a skip map.
  static func down(_ level: Int, _ conv: Int, depth: Int) -> ActivationSlot {
    .down(level: level, conv: conv, skip: conv == 1 && level < depth)
  }

  /// Whether inference must keep this map in its own buffer: the skip maps are read again
  /// by the expansive path; the input and the logits belong to the caller's view of the pass.
  var isKeptInInference: Bool {
    switch self {
    case .input, .logits: return true
    case .down(_, _, let skip): return skip
    default: return false
    }
  }
}
