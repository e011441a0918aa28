/// The memory of a U-Net pass, computed from the sizes the pass reserves: the one estimate
/// the worker uses to choose segmentation tiles (`memory_mb`), training tiles and benchmark
/// tiles.
///
/// `workspaceBytes` replays `UNetPass` without computing anything: every buffer that the
/// forward (and, in training, backward) pass asks its `UNetWorkspace` for, with the counts the
/// pass and its kernels reserve (feature maps, the two scratch maps inference shares, the
/// activation and skip gradients, the padded gradient, the prepacked weights, the Winograd
/// filters and strips), each buffer at its largest request, plus the GEMM's fixed per-thread
/// packing buffers. It equals `UNetWorkspace.allocatedBytes` after one pass in a fresh
/// workspace (`UNetMemoryModelTests`); a workspace that has seen larger tiles keeps their
/// buffers. Kernels that change what they reserve must change the replay here too.
public struct UNetMemoryModel: Equatable, Sendable {
  public let configuration: UNetConfiguration
  /// The workspace's thread count (per-thread GEMM buffers and Winograd strips).
  public let threads: Int
  /// The workspace's `forwardWinograd` (F(4×4) keeps 36 rather than 16 transformed matrices).
  public let forwardWinograd: WinogradVariant

  /// Bytes of the process beyond the network's buffers (code, runtime, the request's small
  /// state), as the training budget has always counted them.
  public static let processOverheadBytes = 32 << 20

  public init(
    configuration: UNetConfiguration, threads: Int, forwardWinograd: WinogradVariant = .f4x4MixedPoints
  ) {
    precondition(threads >= 1, "UNetMemoryModel: threads \(threads) must be at least 1")
    self.configuration = configuration
    self.threads = threads
    self.forwardWinograd = forwardWinograd
  }

  /// Bytes a fresh workspace holds after one pass on an input tile of edge `inputSize`:
  /// inference (`forward`, `probabilities`) or a training step (`trainingStep`,
  /// `lossAndGradient`). Nil for an illegal input size.
  public func workspaceBytes(inputSize: Int, training: Bool) -> Int? {
    guard configuration.geometry.outputSize(forInputSize: inputSize) != nil else { return nil }
    var replay = PassReplay(model: self, inputSize: inputSize, training: training)
    replay.forward()
    if training { replay.backward() }
    return replay.ledger.floats * MemoryLayout<Float>.stride + gemmScratchBytes
  }

  /// Bytes of an inference pass whose output tile has edge `outputSize` (nil when illegal).
  public func inferenceBytes(outputSize: Int) -> Int? {
    configuration.geometry.inputSize(forOutputSize: outputSize).flatMap {
      workspaceBytes(inputSize: $0, training: false)
    }
  }

  /// Resident bytes of training on tiles of input edge `inputSize`: the training workspace
  /// (which holds the parameter gradient), the parameters, the optimiser's per-parameter
  /// buffers (`optimizerBuffers`: 1 for SGD's velocity, 2 for Adam's moments), one sample
  /// (input tile, class and weight per output pixel) and `processOverheadBytes`.
  public func trainingStepBytes(inputSize: Int, optimizerBuffers: Int) -> Int? {
    guard
      let workspace = workspaceBytes(inputSize: inputSize, training: true),
      let output = configuration.geometry.outputSize(forInputSize: inputSize)
    else { return nil }
    let parameters = UNetParameterLayout(configuration: configuration).count
    let sample = configuration.inputChannels * inputSize * inputSize + 2 * output * output
    let floats = (1 + optimizerBuffers) * parameters + sample
    return workspace + floats * MemoryLayout<Float>.stride + UNetMemoryModel.processOverheadBytes
  }

  /// Per-parameter buffers `method` keeps once it has updated: SGD's velocity, Adam's two moments.
  public static func optimizerBuffers(_ method: Optimizer.Method) -> Int {
    switch method {
    case .sgd: return 1
    case .adam: return 2
    }
  }

  /// The GEMM context's packing buffers, allocated with the workspace (`GEMMScratch`).
  private var gemmScratchBytes: Int {
    let perThread =
      Swift.max(16, GEMMBlocking.rowBlock * GEMMBlocking.maxDepth)
      + Swift.max(16, GEMMBlocking.maxDepth * GEMMBlocking.columnBlock)
      + Swift.max(16, MicroKernel.rows * MicroKernel.columns)
    return threads * perThread * MemoryLayout<Float>.stride
  }
}

/// The capacities a workspace's buffers reach: each `AlignedBuffer` starts at 16 floats and
/// grows to its largest request.
private struct BufferLedger {
  enum Buffer: Hashable {
    case activation(ActivationSlot)
    case gradient(Int)
    case skipGradient(Int)
    case padded, packing, parameterGradient
    case winogradFilters, winogradInput, winogradProducts
  }

  private var capacities: [Buffer: Int] = [:]

  /// The buffers every workspace creates up front.
  init() {
    for buffer: Buffer in [
      .gradient(0), .gradient(1), .padded, .packing, .parameterGradient, .winogradFilters,
      .winogradInput, .winogradProducts,
    ] {
      create(buffer)
    }
  }

  mutating func create(_ buffer: Buffer) {
    if capacities[buffer] == nil { capacities[buffer] = 16 }
  }

  mutating func reserve(_ buffer: Buffer, _ count: Int) {
    capacities[buffer] = Swift.max(capacities[buffer] ?? 16, count)
  }

  var floats: Int { capacities.values.reduce(0, +) }
}

/// `UNetPass` with sizes instead of data: the same slots, kernels and counts, recorded in a
/// `BufferLedger`.
private struct PassReplay {
  typealias Buffer = BufferLedger.Buffer
  let model: UNetMemoryModel
  let layers: UNetParameterLayout.Layers
  let parameterCount: Int
  let inputSize: Int
  let training: Bool
  var ledger = BufferLedger()

  init(model: UNetMemoryModel, inputSize: Int, training: Bool) {
    let layout = UNetParameterLayout(configuration: model.configuration)
    self.model = model
    self.layers = layout.layers
    self.parameterCount = layout.count
    self.inputSize = inputSize
    self.training = training
  }

  private var configuration: UNetConfiguration { model.configuration }
  private var depth: Int { configuration.depth }

  private func downSlot(_ level: Int, _ conv: Int) -> ActivationSlot { .down(level, conv, depth: depth) }
  private func levelInputSize(_ level: Int) -> Int {
    configuration.geometry.levelInputSize(level, inputSize: inputSize)
  }
  private func decoderOutputSize(_ level: Int) -> Int {
    configuration.geometry.decoderOutputSize(level, inputSize: inputSize)
  }

  // MARK: Forward

  /// `UNetWorkspace.buffer(for:count:training:notAliasing:)`.
  private mutating func output(_ slot: ActivationSlot, count: Int, notAliasing input: Buffer) -> Buffer {
    let key: ActivationSlot
    if training || slot.isKeptInInference {
      key = slot
    } else {
      ledger.create(.activation(.scratch(0)))
      key = input == .activation(.scratch(0)) ? .scratch(1) : .scratch(0)
    }
    ledger.reserve(.activation(key), count)
    return .activation(key)
  }

  mutating func forward() {
    let outputSize = configuration.geometry.outputSize(forInputSize: inputSize) ?? 0
    var x = Buffer.activation(.input)
    ledger.reserve(x, configuration.inputChannels * inputSize * inputSize)
    var size = inputSize
    for level in 0...depth {
      let (conv0, conv1) = layers.down[level]
      let c = conv0.outputChannels
      let s0 = size - 2
      let a0 = output(downSlot(level, 0), count: c * s0 * s0, notAliasing: x)
      convolutionForward(conv0, inputSize: size, kernel: 3)
      let s1 = s0 - 2
      let a1 = output(downSlot(level, 1), count: c * s1 * s1, notAliasing: a0)
      convolutionForward(conv1, inputSize: s0, kernel: 3)
      if level < depth {
        x = output(.pooled(level: level), count: c * s1 * s1 / 4, notAliasing: a1)
        size = s1 / 2
      } else {
        x = a1
        size = s1
      }
    }
    for level in (0..<depth).reversed() {
      let layer = layers.up[level]
      let c = layer.upconv.outputChannels
      let u = 2 * size
      let upsampled = output(.upsampled(level: level), count: c * u * u, notAliasing: x)
      ledger.reserve(.packing, PrepackedLeftOperand.storageCount(rows: 4 * c, depth: layer.upconv.inputChannels))
      let c0 = output(.up(level: level, conv: 0), count: c * (u - 2) * (u - 2), notAliasing: upsampled)
      convolutionForward(layer.conv0, inputSize: u, kernel: 3)
      x = output(.up(level: level, conv: 1), count: c * (u - 4) * (u - 4), notAliasing: c0)
      convolutionForward(layer.conv1, inputSize: u - 2, kernel: 3)
      size = u - 4
    }
    _ = output(.logits, count: configuration.classes * outputSize * outputSize, notAliasing: x)
    convolutionForward(layers.final, inputSize: size, kernel: 1)
  }

  /// `ConvolutionKernel.forward` with the variant `UNetPass.convolution` chooses.
  private mutating func convolutionForward(_ layer: UNetParameterLayout.Layer, inputSize h: Int, kernel: Int) {
    let o = h - kernel + 1
    if WinogradConvolution.applies(
      kernel: kernel, inputChannels: layer.inputChannels, outputHeight: o, outputWidth: o)
    {
      let variant = WinogradConvolution.variant(model.forwardWinograd, outputHeight: o, outputWidth: o)
      winograd(
        inputChannels: layer.inputChannels, outputChannels: layer.outputChannels, outputSize: o,
        variant: variant)
    } else {
      ledger.reserve(
        .packing,
        PrepackedLeftOperand.storageCount(
          rows: layer.outputChannels, depth: layer.inputChannels * kernel * kernel))
    }
  }

  /// `WinogradConvolution.run`'s buffers for an output of `size` × `size`.
  private mutating func winograd(
    inputChannels k: Int, outputChannels m: Int, outputSize size: Int, variant: WinogradVariant
  ) {
    let positions = variant.positions
    let tiles = (size + variant.tileSize - 1) / variant.tileSize
    let rowsPerStrip = WinogradConvolution.rowsPerStrip(
      tilesX: tiles, tilesY: tiles, channels: k + m, positions: positions)
    let n = rowsPerStrip * tiles
    let uStride = WinogradTransforms.positionStride(PrepackedLeftOperand.storageCount(rows: m, depth: k))
    let vStride = WinogradTransforms.positionStride(PrepackedRightOperand.storageCount(depth: k, columns: n))
    let mStride = WinogradTransforms.positionStride(m * n)
    let stripCount = (tiles + rowsPerStrip - 1) / rowsPerStrip
    // Whole strips per thread: one V and one M per thread.
    let perThread = stripCount >= WinogradConvolution.stripsPerThreadForStripParallelism * model.threads
    let copies = perThread ? model.threads : 1
    ledger.reserve(.winogradFilters, positions * uStride)
    ledger.reserve(.winogradInput, copies * positions * vStride)
    ledger.reserve(.winogradProducts, copies * positions * mStride)
  }

  // MARK: Backward

  mutating func backward() {
    ledger.reserve(.parameterGradient, parameterCount)
    let outputSize = configuration.geometry.outputSize(forInputSize: inputSize) ?? 0
    // `UNetPass.largestActivation`, in both ping-pong buffers.
    var largest = configuration.classes * outputSize * outputSize
    for level in 0...depth {
      let s = levelInputSize(level) - 2
      largest = Swift.max(largest, configuration.channels(atLevel: level) * s * s)
    }
    for level in 0..<depth {
      let u = 2 * decoderOutputSize(level + 1)
      largest = Swift.max(largest, configuration.channels(atLevel: level) * u * u)
    }
    ledger.reserve(.gradient(0), largest)
    ledger.reserve(.gradient(1), largest)

    convolutionBackward(layers.final, inputSize: outputSize, kernel: 1, inputGradient: true)
    for level in 0..<depth {
      let layer = layers.up[level]
      let c = layer.upconv.outputChannels
      let u = 2 * decoderOutputSize(level + 1)
      convolutionBackward(layer.conv1, inputSize: u - 2, kernel: 3, inputGradient: true)
      skipGradient(level: level, count: c * u * u)
      convolutionBackward(layer.conv0, inputSize: u, kernel: 3, inputGradient: true)
      // `UpConvolutionKernel.backward`: the masked gradient and the prepacked weights.
      ledger.reserve(.padded, c * u * u)
      ledger.reserve(.packing, PrepackedLeftOperand.storageCount(rows: layer.upconv.inputChannels, depth: 4 * c))
    }
    for level in stride(from: depth, through: 0, by: -1) {
      let (conv0, conv1) = layers.down[level]
      let s0 = levelInputSize(level) - 2
      if level < depth {
        let u = 2 * decoderOutputSize(level + 1)
        skipGradient(level: level, count: conv0.outputChannels * u * u)
      }
      convolutionBackward(conv1, inputSize: s0, kernel: 3, inputGradient: true)
      convolutionBackward(conv0, inputSize: s0 + 2, kernel: 3, inputGradient: level > 0)
    }
  }

  /// `UNetWorkspace.skipGradient`: created for every level up to `level`.
  private mutating func skipGradient(level: Int, count: Int) {
    for l in 0...level { ledger.create(.skipGradient(l)) }
    ledger.reserve(.skipGradient(level), count)
  }

  /// `ConvolutionKernel.backward` of a layer whose input has edge `h`.
  private mutating func convolutionBackward(
    _ layer: UNetParameterLayout.Layer, inputSize h: Int, kernel: Int, inputGradient: Bool
  ) {
    let cin = layer.inputChannels
    let m = layer.outputChannels
    let pad = kernel - 1
    let out = h - pad
    ledger.reserve(.padded, m * (out + 2 * pad) * (out + 2 * pad))
    if WinogradConvolution.applies(kernel: kernel, inputChannels: cin, outputHeight: out, outputWidth: out) {
      winogradWeightGradient(inputChannels: cin, outputChannels: m, outputSize: out)
    }
    guard inputGradient else { return }
    if WinogradConvolution.applies(kernel: kernel, inputChannels: m, outputHeight: h, outputWidth: h) {
      winograd(
        inputChannels: m, outputChannels: cin, outputSize: h,
        variant: WinogradConvolution.variant(model.forwardWinograd, outputHeight: h, outputWidth: h))
    } else {
      ledger.reserve(.packing, PrepackedLeftOperand.storageCount(rows: cin, depth: m * kernel * kernel))
    }
  }

  /// `WinogradWeightGradient.run`'s buffers for an output gradient of `size` × `size`.
  private mutating func winogradWeightGradient(inputChannels k: Int, outputChannels m: Int, outputSize size: Int) {
    let positions = WinogradTransforms.positions
    let tiles = size / 2
    let rowsPerStrip = WinogradConvolution.rowsPerStrip(tilesX: tiles, tilesY: tiles, channels: k + m)
    let n = rowsPerStrip * tiles
    let vStride = WinogradTransforms.positionStride(k * n)
    let zStride = WinogradTransforms.positionStride(m * n)
    let groupStride = positions * WinogradTransforms.positionStride(m * k)
    let stripCount = (tiles + rowsPerStrip - 1) / rowsPerStrip
    let groups = WinogradWeightGradient.groups
    if stripCount >= WinogradWeightGradient.minimumStripsForGroups
      && groups * groupStride <= WinogradWeightGradient.groupBudget
    {
      ledger.reserve(.winogradInput, model.threads * positions * vStride)
      ledger.reserve(.winogradProducts, model.threads * positions * zStride)
      ledger.reserve(.winogradFilters, groups * groupStride)
    } else {
      ledger.reserve(.winogradInput, positions * vStride)
      ledger.reserve(.winogradProducts, positions * zStride)
      ledger.reserve(.winogradFilters, groupStride)
    }
  }
}
