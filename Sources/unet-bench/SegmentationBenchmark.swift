import NeuralCore
import Segmentation

/// The U-Net as the segmenter's tile predictor, computing every tile in one workspace (so the
/// buffers fault in once, as a worker job should).
struct WorkspaceTilePredictor: TilePredictor {
  let network: UNet
  let workspace: UNetWorkspace

  var inputChannels: Int { network.configuration.inputChannels }
  var classes: Int { network.configuration.classes }
  var outputAlignment: Int { 1 << network.configuration.depth }
  private var geometry: UNetGeometry { network.configuration.geometry }

  func inputSize(forOutputSize outputSize: Int) -> Int? { geometry.inputSize(forOutputSize: outputSize) }
  func largestLegalOutputSize(atMost limit: Int) -> Int? { geometry.largestLegalOutputSize(atMost: limit) }
  func smallestLegalOutputSize(atLeast limit: Int) -> Int? {
    geometry.legalOutputSizes(in: limit...(limit + (64 << network.configuration.depth))).first
  }
  /// Not used here (the benchmark fixes the tile size); the workspace's current size.
  func estimatedBytes(forOutputSize outputSize: Int) -> Int { workspace.allocatedBytes }

  func predictProbabilities(_ tile: Tensor) -> Tensor { network.probabilities(tile, workspace: workspace) }
}

/// Times `--mode segment`: a random `image`×`image` picture through `OverlapTileSegmenter`
/// with output tiles of edge `outputSize` (mirroring, forward passes, softmax, stitching).
func segmentationBenchmark(
  network: UNet, workspace: UNetWorkspace, options: Options, outputSize: Int, rng: inout RandomSource
) -> JSON {
  let predictor = WorkspaceTilePredictor(network: network, workspace: workspace)
  let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: outputSize)
  var image = Tensor(channels: options.inputChannels, height: options.image, width: options.image)
  for i in 0..<image.storage.count { image.storage[i] = rng.nextGaussian() }
  let plan = segmenter.plan(imageWidth: options.image, imageHeight: options.image)
  var checksum: Float = 0
  let summary = timed(reps: options.reps, warmup: options.warmup, gflop: 0) {
    do {
      let foreground = try segmenter.segment(image)
      checksum = foreground.storage.reduce(0, +)
    } catch {
      Options.fail("segmentation was cancelled: \(error)")
    }
  }
  return .object(
    summary.fields + [
      ("image", .array([.int(options.image), .int(options.image)])), ("tiles", .int(plan.tiles.count)),
      ("input_tile", .int(plan.inputTileSize)), ("output_tile", .int(outputSize)),
      ("mean_foreground", .number(Double(checksum) / Double(options.image * options.image))),
    ])
}
