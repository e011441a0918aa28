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
  /// The worker's estimate (`UNetTilePredictor`): the workspace of one inference pass
  /// (`UNetMemoryModel`) plus the logits tensor returned before the softmax.
  func estimatedBytes(forOutputSize outputSize: Int) -> Int {
    let model = UNetMemoryModel(
      configuration: network.configuration, threads: workspace.parallel.threads,
      forwardWinograd: workspace.forwardWinograd)
    guard let bytes = model.inferenceBytes(outputSize: outputSize) else { return Int.max }
    return bytes + classes * outputSize * outputSize * MemoryLayout<Float>.stride
  }

  func predictProbabilities(_ tile: Tensor) -> Tensor { network.probabilities(tile, workspace: workspace) }
}

/// `--auto-tile`: the input edge of the output tile the worker would choose for an
/// `--image` × `--image` image within `--memory-mb` (`defaultOutputTileSize`).
func automaticInputTile(network: UNet, workspace: UNetWorkspace, options: Options) -> Int {
  let predictor = WorkspaceTilePredictor(network: network, workspace: workspace)
  let output = defaultOutputTileSize(
    predictor: predictor, memoryBudgetBytes: options.memoryBudgetBytes, imageWidth: options.image,
    imageHeight: options.image)
  guard let input = predictor.inputSize(forOutputSize: output) else {
    Options.fail("no legal input size for the output tile \(output)")
  }
  return input
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
  let estimated =
    predictor.estimatedBytes(forOutputSize: outputSize) + segmenter.workingBytes(forOutputSize: outputSize)
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
      ("auto_tile", .bool(options.autoTile)),
      ("memory_budget_mib", .number(Double(options.memoryBudgetBytes) / 1_048_576)),
      ("estimated_mib", .number(Double(estimated) / 1_048_576)),
      ("mean_foreground", .number(Double(checksum) / Double(options.image * options.image))),
    ])
}
