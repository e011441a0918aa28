// unet-bench: times one forward pass and one training step of the U-Net (or an image through
// the overlap-tile segmenter), printing one JSON line with the fields and meaning of the peer
// script Benchmarks/unet_peer.py, so `Benchmarks/run_bench.py` can put them side by side.
//
//   unet-bench --base-channels 64 --depth 4 --tile 572 --mode both --reps 5 --threads 2
//
// See `Options.usage` (or --help) for every flag.
import Foundation
import NeuralCore

let options = Options(parsing: Array(CommandLine.arguments.dropFirst()))
let configuration = UNetConfiguration(
  inputChannels: options.inputChannels, classes: options.classes, baseChannels: options.base,
  depth: options.depth, dropout: options.dropout)
do {
  try configuration.validate()
} catch {
  Options.fail("\(error)")
}
var rng = RandomSource(seed: options.seed)
var network = UNet(configuration: configuration, rng: &rng)
let workspace = UNetWorkspace(parallel: Parallel(threads: options.threads))
workspace.forwardWinograd = options.winograd
/// The input tile edge: `--tile`, or with `--auto-tile` the worker's choice for the image.
let tile = options.autoTile ? automaticInputTile(network: network, workspace: workspace, options: options) : options.tile
guard let outputSize = configuration.geometry.outputSize(forInputSize: tile) else {
  let geometry = configuration.geometry
  let below = geometry.largestLegalOutputSize(atMost: tile - 2 * geometry.margin)
  let suggestion = below.flatMap { geometry.inputSize(forOutputSize: $0) }.map { " (nearest legal below: \($0))" } ?? ""
  Options.fail("tile \(tile) is not a legal input size for depth \(options.depth)\(suggestion)")
}

var input = Tensor(channels: options.inputChannels, height: tile, width: tile)
for i in 0..<input.storage.count { input.storage[i] = rng.nextGaussian() }
let pixels = outputSize * outputSize
let targets = (0..<pixels).map { _ in Int32(rng.nextInt(below: options.classes)) }
let weights = (0..<pixels).map { _ in 1 + 9 * rng.nextUniform() }
let forwardGFLOP = Double(network.forwardFLOPs(inputSize: tile) ?? 0) / 1e9
let convLayers = 4 * options.depth + 2 + options.depth + 1  // 3×3 + up-convolutions + final

let peak = options.peakGFLOPsPerThread * Double(options.threads)
var fields: [(String, JSON)] = [
  ("framework", .string("swift-neuralcore")),
  ("version", .string("unet-worker")),
  ("backend", .object([
    ("kernels", .string(UNetWorkspace.kernelDescription)),
    ("forward_winograd", .string(options.winograd.rawValue)),
    ("num_threads", .int(options.threads)),
  ])),
  ("config", .object([
    ("base", .int(options.base)), ("depth", .int(options.depth)), ("tile", .int(tile)),
    ("auto_tile", .bool(options.autoTile)),
    ("in_ch", .int(options.inputChannels)), ("classes", .int(options.classes)),
    ("threads", .int(options.threads)), ("mode", .string(options.mode)), ("reps", .int(options.reps)),
    ("warmup", .int(options.warmup)), ("lr", .number(Double(options.learningRate))),
    ("momentum", .number(Double(options.momentum))), ("batch", .int(1)),
    ("dropout", .number(Double(options.dropout))), ("upconv_relu", .bool(true)),
  ])),
  ("conv_layers", .int(convLayers)), ("params", .int(network.parameterCount)),
  ("input_size", .array([1, options.inputChannels, tile, tile].map { .int($0) })),
  ("output_size", .array([1, options.classes, outputSize, outputSize].map { .int($0) })),
  ("forward_gflop", .number(forwardGFLOP)), ("train_step_gflop_counted", .number(3 * forwardGFLOP)),
  ("flop_note", .string("2 x multiply-adds of the 3x3, 2x2-up and 1x1 convolutions; train step = 3 x forward")),
]
var profiles: [(String, JSON)] = []

/// Runs `pass` `options.reps` more times with the workspace profiling; the per-layer summary.
@MainActor func profiled(_ pass: () -> Void) -> JSON {
  workspace.resetTimings()
  workspace.isProfiling = true
  for _ in 0..<options.reps { pass() }
  workspace.isProfiling = false
  return profileJSON(workspace.timings, reps: options.reps, peak: peak)
}

if options.timesForward {
  let forward = { _ = network.forward(input, workspace: workspace) }
  fields.append(("forward", timed(reps: options.reps, warmup: options.warmup, gflop: forwardGFLOP, forward)))
  if options.profile { profiles.append(("forward", profiled(forward))) }
}
if options.timesTraining {
  var optimizer = Optimizer.sgd(learningRate: options.learningRate, momentum: options.momentum)
  var losses: [Float] = []
  let step = {
    losses.append(
      network.trainingStep(
        input: input, targets: targets, weights: weights, optimizer: &optimizer, rng: &rng,
        workspace: workspace))
  }
  let summary = timed(reps: options.reps, warmup: options.warmup, gflop: 3 * forwardGFLOP, step)
  fields.append(
    ("train_step", .object(summary.fields + [
      ("loss_first", .number(Double(losses.first ?? .nan))),
      ("loss_last", .number(Double(losses.last ?? .nan))),
      ("loss_finite", .bool(losses.allSatisfy(\.isFinite))),
    ])))
  if options.profile { profiles.append(("train_step", profiled(step))) }
}
if options.mode == "segment" {
  fields.append(
    ("segment", segmentationBenchmark(
      network: network, workspace: workspace, options: options, outputSize: outputSize, rng: &rng)))
}
fields.append(("workspace_mib", .number(Double(workspace.allocatedBytes) / 1_048_576)))
// What `UNetMemoryModel` predicts for a fresh workspace and this tile (forward alone equals
// workspace_mib; train alone equals model_training_mib).
// model_training_step_mib: the whole step with SGD's velocity, as this benchmark trains.
let memoryModel = UNetMemoryModel(
  configuration: configuration, threads: options.threads, forwardWinograd: options.winograd)
func mebibytes(_ bytes: Int?) -> JSON { .number(Double(bytes ?? 0) / 1_048_576) }
fields.append(("model_inference_mib", mebibytes(memoryModel.workspaceBytes(inputSize: tile, training: false))))
fields.append(("model_training_mib", mebibytes(memoryModel.workspaceBytes(inputSize: tile, training: true))))
fields.append(
  ("model_training_step_mib", mebibytes(memoryModel.trainingStepBytes(inputSize: tile, optimizerBuffers: 1))))
fields.append(("max_rss_mib", .number(Double(Usage.now().maxRSSKiB) / 1024)))
if !profiles.isEmpty { fields.append(("profile", .object(profiles))) }
print(JSON.object(fields).text)
