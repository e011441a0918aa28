/// The U-Net of Ronneberger, Fischer and Brox (2015), in pure Swift.
///
/// Architecture (Fig. 1 of the paper, for `depth` poolings): each contracting level applies
/// two unpadded 3×3 convolutions with ReLU, then 2×2 max-pooling with stride 2, doubling the
/// channels per level; the bottom level has no pooling; each expansive level applies a 2×2
/// up-convolution halving the channels (followed by ReLU, as in the authors' released Caffe
/// model and the PyTorch reference), concatenates the centre crop of the matching contracting
/// map in front of it (`[skip, upsampled]`), and applies two 3×3 convolutions with ReLU; a
/// final 1×1 convolution maps to `classes` logits. Optional dropout acts on the outputs of the
/// last two contracting levels (training only, inverted: kept values are scaled by 1/(1−p)).
///
/// Tensors are single images (no batch axis; the paper trains with one large tile per step),
/// channels × height × width. The output of an input tile of edge `s` has edge
/// `configuration.geometry.outputSize(forInputSize: s)` (572 → 388 for depth 4).
///
/// Parameters are one flat array laid out by `UNetParameterLayout`. The value type is cheap
/// to copy (copy-on-write) and `Sendable`; passes run in a `UNetWorkspace`.
public struct UNet: Sendable {
  public let configuration: UNetConfiguration
  public let layout: UNetParameterLayout
  /// All weights and biases, laid out by `layout`.
  public private(set) var parameters: [Float]

  /// A network with He-normal weights (std √(2/N), N = fan-in: 9·Cin for the 3×3
  /// convolutions, Cin for the up-convolutions and the 1×1 layer) and zero biases, drawn from
  /// `rng` in layout order.
  public init(configuration: UNetConfiguration, rng: inout RandomSource) {
    UNet.check(configuration)
    self.configuration = configuration
    self.layout = UNetParameterLayout(configuration: configuration)
    var parameters = [Float](repeating: 0, count: layout.count)
    for entry in layout.entries where entry.fanIn > 0 {
      let std = (2.0 / Double(entry.fanIn)).squareRoot()
      for i in entry.range { parameters[i] = Float(std * Double(rng.nextGaussian())) }
    }
    self.parameters = parameters
  }

  /// A network with the given parameters (e.g. read from a model file); their count must
  /// equal `UNetParameterLayout(configuration:).count`.
  public init(configuration: UNetConfiguration, parameters: [Float]) {
    UNet.check(configuration)
    self.configuration = configuration
    self.layout = UNetParameterLayout(configuration: configuration)
    precondition(
      parameters.count == layout.count,
      "UNet: \(parameters.count) parameters given, \(configuration) needs \(layout.count)")
    self.parameters = parameters
  }

  private static func check(_ configuration: UNetConfiguration) {
    do {
      try configuration.validate()
    } catch {
      preconditionFailure("UNet: \(error)")
    }
  }

  public var parameterCount: Int { parameters.count }

  /// Replaces all parameters (same count).
  public mutating func setParameters(_ newValue: [Float]) {
    precondition(
      newValue.count == parameters.count,
      "UNet.setParameters: \(newValue.count) values, need \(parameters.count)")
    parameters = newValue
  }

  /// Edits the parameters in place (the optimiser's path; no copy).
  mutating func withMutableParameters<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    parameters.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { preconditionFailure("UNet: no parameters") }
      return body(base)
    }
  }

  /// Floating-point operations of one forward pass on an `inputSize` tile, counting a
  /// multiply-add as 2: the 3×3 and 1×1 convolutions and the up-convolutions (bias, ReLU,
  /// pooling and softmax are not counted), as the peer benchmark counts them (300.9 GFLOP
  /// for the paper's net on 572×572). Nil for an illegal size.
  public func forwardFLOPs(inputSize: Int) -> Int? {
    guard let stages = configuration.geometry.stages(forInputSize: inputSize) else { return nil }
    var sizes: [String: Int] = [:]
    for stage in stages { sizes[stage.name] = stage.size }
    var flops = 0
    for entry in layout.entries where entry.fanIn > 0 {
      let layer = String(entry.name.dropLast(".weight".count))
      guard let size = sizes[layer] else { continue }
      let outputChannels = entry.name.hasSuffix("upconv.weight") ? entry.shape[1] : entry.shape[0]
      flops += 2 * size * size * outputChannels * entry.fanIn
    }
    return flops
  }

  /// The logits (classes × out × out) of one input tile (inputChannels × s × s, s a legal
  /// input size). Inference: no dropout. Allocates a workspace for this call; pass one to
  /// `forward(_:workspace:)` to reuse it across tiles.
  public func forward(_ input: Tensor, parallel: Parallel) -> Tensor {
    forward(input, workspace: UNetWorkspace(parallel: parallel))
  }

  /// The logits of one input tile, computed in `workspace`.
  public func forward(_ input: Tensor, workspace: UNetWorkspace) -> Tensor {
    var pass = UNetPass(network: self, input: input, workspace: workspace, training: false)
    return parameters.withUnsafeBufferPointer { p in
      pass.forward(parameters: Pointers.base(p), dropout: nil)
      return pass.logitsTensor()
    }
  }

  /// Class probabilities (softmax over channels of the logits), classes × out × out.
  public func probabilities(_ input: Tensor, parallel: Parallel) -> Tensor {
    softmax(forward(input, parallel: parallel))
  }

  /// Class probabilities computed in `workspace`.
  public func probabilities(_ input: Tensor, workspace: UNetWorkspace) -> Tensor {
    softmax(forward(input, workspace: workspace))
  }
}
