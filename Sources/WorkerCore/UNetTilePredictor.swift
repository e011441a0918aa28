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

  func estimatedBytes(forOutputSize size: Int) -> Int {
    guard let input = geometry.inputSize(forOutputSize: size) else { return Int.max }
    // Inference keeps about three full-resolution maps of the widest level-0 layer alive
    // (input of a convolution, its output, the skip connection) plus the im2col panels.
    let level0 = network.configuration.baseChannels * input * input * 4
    return 6 * level0 + input * input * network.configuration.inputChannels * 4
  }

  func predictProbabilities(_ tile: Tensor) -> Tensor {
    network.probabilities(tile, workspace: workspace)
  }
}
