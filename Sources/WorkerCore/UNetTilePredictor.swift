import NeuralCore
import Segmentation

/// The trained U-Net as the overlap-tile engine's predictor: the paper's unpadded network
/// maps an input tile of `output + 2·margin` pixels to an output tile of `output` pixels.
struct UNetTilePredictor: TilePredictor {
  let network: UNet
  let parallel: Parallel
  private let geometry: UNetGeometry
  /// One set of buffers for every tile of a job: allocated at the first tile, reused after.
  private let workspace: UNetWorkspace

  /// `workspace`: buffers to reuse (a kept one from `InferenceCache`); a new one by default.
  init(network: UNet, parallel: Parallel, workspace: UNetWorkspace? = nil) {
    self.network = network
    self.parallel = parallel
    self.geometry = UNetGeometry(depth: network.configuration.depth)
    self.workspace = workspace ?? UNetWorkspace(parallel: parallel)
  }

  var inputChannels: Int { network.configuration.inputChannels }
  var classes: Int { network.configuration.classes }
  /// 2^depth: max-pooling makes the network equivariant only to shifts by this multiple.
  var outputAlignment: Int { 1 << network.configuration.depth }

  func inputSize(forOutputSize size: Int) -> Int? { geometry.inputSize(forOutputSize: size) }

  func largestLegalOutputSize(atMost size: Int) -> Int? { geometry.largestLegalOutputSize(atMost: size) }

  func smallestLegalOutputSize(atLeast size: Int) -> Int? {
    geometry.legalOutputSizes(in: size...(size + 64 << network.configuration.depth)).first
  }

  /// The workspace of one inference pass (`UNetMemoryModel`, exact for a workspace that has
  /// seen no larger tile) plus the logits tensor the pass returns before the softmax.
  func estimatedBytes(forOutputSize size: Int) -> Int {
    let configuration = network.configuration
    guard
      let workspace = UNetMemoryModel(configuration: configuration, threads: parallel.threads)
        .inferenceBytes(outputSize: size)
    else { return Int.max }
    return workspace + configuration.classes * size * size * MemoryLayout<Float>.stride
  }

  func predictProbabilities(_ tile: Tensor) -> Tensor {
    network.probabilities(tile, workspace: workspace)
  }
}
