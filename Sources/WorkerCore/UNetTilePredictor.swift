import NeuralCore
import Segmentation

/// The trained U-Net as the overlap-tile engine's predictor: the paper's unpadded network
/// maps an input tile of `output + 2·margin` pixels to an output tile of `output` pixels.
struct UNetTilePredictor: TilePredictor {
  let network: UNet
  let parallel: Parallel
  private let geometry: UNetGeometry

  init(network: UNet, parallel: Parallel) {
    self.network = network
    self.parallel = parallel
    self.geometry = UNetGeometry(depth: network.configuration.depth)
  }

  var inputChannels: Int { network.configuration.inputChannels }
  var classes: Int { network.configuration.classes }

  func inputSize(forOutputSize size: Int) -> Int? { geometry.inputSize(forOutputSize: size) }

  func largestLegalOutputSize(atMost size: Int) -> Int? { geometry.largestLegalOutputSize(atMost: size) }

  func smallestLegalOutputSize(atLeast size: Int) -> Int? {
    geometry.legalOutputSizes(in: size...(size + 64 << network.configuration.depth)).first
  }

  func estimatedBytes(forOutputSize size: Int) -> Int {
    guard let input = geometry.inputSize(forOutputSize: size) else { return Int.max }
    return network.estimatedInferenceBytes(inputSize: input)
  }

  func predictProbabilities(_ tile: Tensor) -> Tensor {
    network.probabilities(tile, parallel: parallel)
  }
}
