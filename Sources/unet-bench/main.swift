// unet-bench: times one forward pass and one training step of the U-Net, printing one JSON
// line with the same meaning as the peer benchmark (../shared/peers/unet_peer.py).
//
//   unet-bench --base-channels 64 --depth 4 --tile 572 --mode both --reps 5 --threads 2
//
// Flags: --base-channels N (alias --base), --depth N, --tile N (input edge: 572 → 388 output),
// --mode forward|train|both, --reps N, --warmup N, --threads N, --profile (per-layer times),
// --in-ch N, --classes N, --lr X, --momentum X, --dropout X, --seed N, --peak-gflops X (for the
// profile's fraction of peak; default 116.2 per thread: 32 FP32 FLOP/cycle × 3.63 GHz).
// The training step is forward + weighted softmax cross-entropy + backward + SGD momentum.
import Foundation
import Glibc
import NeuralCore

struct Options {
  var base = 64
  var depth = 4
  var tile = 572
  var mode = "both"
  var reps = 5
  var warmup = 1
  var threads = 2
  var profile = false
  var inputChannels = 1
  var classes = 2
  var learningRate: Float = 1e-4
  var momentum: Float = 0.99
  var dropout: Float = 0
  var seed: UInt64 = 0
  var peakGFLOPsPerThread = 116.16
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("unet-bench: \(message)\n".utf8))
  exit(2)
}

func parseOptions(_ arguments: [String]) -> Options {
  var options = Options()
  var i = 0
  func value(_ flag: String) -> String {
    i += 1
    guard i < arguments.count else { fail("\(flag) needs a value") }
    return arguments[i]
  }
  func int(_ flag: String) -> Int {
    guard let v = Int(value(flag)), v >= 0 else { fail("\(flag) needs a non-negative integer") }
    return v
  }
  func float(_ flag: String) -> Float {
    guard let v = Float(value(flag)) else { fail("\(flag) needs a number") }
    return v
  }
  while i < arguments.count {
    let flag = arguments[i]
    switch flag {
    case "--base-channels", "--base": options.base = int(flag)
    case "--depth": options.depth = int(flag)
    case "--tile": options.tile = int(flag)
    case "--mode":
      options.mode = value(flag)
      guard ["forward", "train", "both"].contains(options.mode) else {
        fail("--mode must be forward, train or both")
      }
    case "--reps": options.reps = max(1, int(flag))
    case "--warmup": options.warmup = int(flag)
    case "--threads": options.threads = max(1, int(flag))
    case "--profile": options.profile = true
    case "--in-ch": options.inputChannels = int(flag)
    case "--classes": options.classes = int(flag)
    case "--lr": options.learningRate = float(flag)
    case "--momentum": options.momentum = float(flag)
    case "--dropout": options.dropout = float(flag)
    case "--seed": options.seed = UInt64(int(flag))
    case "--peak-gflops": options.peakGFLOPsPerThread = Double(float(flag))
    case "--help", "-h":
      print(
        "usage: unet-bench [--base-channels N] [--depth N] [--tile N] [--mode forward|train|both] "
          + "[--reps N] [--warmup N] [--threads N] [--profile] [--in-ch N] [--classes N] [--lr X] "
          + "[--momentum X] [--dropout X] [--seed N] [--peak-gflops X]")
      exit(0)
    default: fail("unknown flag \(flag) (try --help)")
    }
    i += 1
  }
  return options
}

/// A JSON value written by hand (stable key order, no Foundation encoder).
indirect enum JSON {
  case number(Double)
  case int(Int)
  case string(String)
  case bool(Bool)
  case array([JSON])
  case object([(String, JSON)])

  var text: String {
    switch self {
    case .number(let v): return v.isFinite ? String(format: "%.6g", v) : "null"
    case .int(let v): return String(v)
    case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    case .bool(let b): return b ? "true" : "false"
    case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
    case .object(let fields): return "{" + fields.map { JSON.string($0.0).text + ":" + $0.1.text }.joined(separator: ",") + "}"
    }
  }
}

struct Usage {
  var cpuSeconds: Double
  var minorFaults: Int
  var maxRSSKiB: Int

  static func now() -> Usage {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu =
      Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
      + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return Usage(cpuSeconds: cpu, minorFaults: usage.ru_minflt, maxRSSKiB: usage.ru_maxrss)
  }
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Runs `body` `warmup` times untimed and `reps` times timed; the summary as the peer's.
func timed(reps: Int, warmup: Int, gflop: Double, _ body: () -> Void) -> (JSON, [Double]) {
  for _ in 0..<warmup { body() }
  let clock = ContinuousClock()
  var times: [Double] = []
  let before = Usage.now()
  let start = clock.now
  for _ in 0..<reps {
    let t0 = clock.now
    body()
    times.append(seconds(clock.now - t0))
  }
  let wall = seconds(clock.now - start)
  let after = Usage.now()
  let sorted = times.sorted()
  let median =
    sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  let minimum = sorted[0]
  let summary = JSON.object([
    ("median_s", .number(median)), ("min_s", .number(minimum)), ("max_s", .number(sorted[sorted.count - 1])),
    ("reps", .int(reps)), ("all_s", .array(times.map { .number($0) })),
    ("gflops_at_median", .number(gflop / median)), ("gflops_at_min", .number(gflop / minimum)),
    ("cpu_util", .number((after.cpuSeconds - before.cpuSeconds) / wall)),
    ("minor_faults_per_rep", .int((after.minorFaults - before.minorFaults) / reps)),
  ])
  return (summary, times)
}

/// Mean time per layer over the timed repetitions, in execution order, with GFLOP/s and the
/// fraction of peak; plus totals per layer kind.
func profileJSON(_ timings: [LayerTiming], reps: Int, peak: Double) -> JSON {
  var order: [String] = []
  var totals: [String: (LayerTiming, Double)] = [:]
  for t in timings {
    let key = t.phase + " " + t.layer
    if let (first, sum) = totals[key] {
      totals[key] = (first, sum + t.seconds)
    } else {
      order.append(key)
      totals[key] = (t, t.seconds)
    }
  }
  var layers: [JSON] = []
  var kinds: [String: (seconds: Double, flops: Double)] = [:]
  var kindOrder: [String] = []
  for key in order {
    guard let (t, sum) = totals[key] else { continue }
    let mean = sum / Double(reps)
    let gflops = Double(t.flops) / 1e9 / mean
    var fields: [(String, JSON)] = [
      ("layer", .string(t.layer)), ("kind", .string(t.kind)), ("phase", .string(t.phase)),
      ("seconds", .number(mean)),
    ]
    if t.flops > 0 {
      fields += [("gflops", .number(gflops)), ("fraction_of_peak", .number(gflops / peak))]
    }
    layers.append(.object(fields))
    let kindKey = t.phase + " " + t.kind
    if kinds[kindKey] == nil { kindOrder.append(kindKey) }
    kinds[kindKey, default: (0, 0)].seconds += mean
    kinds[kindKey, default: (0, 0)].flops += Double(t.flops)
  }
  let byKind = kindOrder.map { key -> JSON in
    let k = kinds[key] ?? (0, 0)
    let parts = key.split(separator: " ").map(String.init)
    var fields: [(String, JSON)] = [("phase", .string(parts[0])), ("kind", .string(parts[1])), ("seconds", .number(k.seconds))]
    if k.flops > 0 {
      let gflops = k.flops / 1e9 / k.seconds
      fields += [("gflops", .number(gflops)), ("fraction_of_peak", .number(gflops / peak))]
    }
    return .object(fields)
  }
  return .object([("peak_gflops", .number(peak)), ("by_kind", .array(byKind)), ("layers", .array(layers))])
}

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
let configuration = UNetConfiguration(
  inputChannels: options.inputChannels, classes: options.classes, baseChannels: options.base,
  depth: options.depth, dropout: options.dropout)
do {
  try configuration.validate()
} catch {
  fail("\(error)")
}
guard let outputSize = configuration.geometry.outputSize(forInputSize: options.tile) else {
  let geometry = configuration.geometry
  let below = geometry.largestLegalOutputSize(atMost: options.tile - 2 * geometry.margin)
  let suggestion = below.flatMap { geometry.inputSize(forOutputSize: $0) }.map { " (nearest legal below: \($0))" } ?? ""
  fail("tile \(options.tile) is not a legal input size for depth \(options.depth)\(suggestion)")
}

var rng = RandomSource(seed: options.seed)
var network = UNet(configuration: configuration, rng: &rng)
var input = Tensor(channels: options.inputChannels, height: options.tile, width: options.tile)
for i in 0..<input.storage.count { input.storage[i] = rng.nextGaussian() }
let pixels = outputSize * outputSize
let targets = (0..<pixels).map { _ in Int32(rng.nextInt(below: options.classes)) }
let weights = (0..<pixels).map { _ in 1 + 9 * rng.nextUniform() }
let flops = network.forwardFLOPs(inputSize: options.tile) ?? 0
let forwardGFLOP = Double(flops) / 1e9
let convLayers = 4 * options.depth + 2 + options.depth + 1  // 3×3 + up-convolutions + final

let workspace = UNetWorkspace(parallel: Parallel(threads: options.threads))
let peak = options.peakGFLOPsPerThread * Double(options.threads)
var fields: [(String, JSON)] = [
  ("framework", .string("swift-neuralcore")),
  ("backend", .object([
    ("gemm", .string("packed, cache-blocked, 4x24 SIMD8 register tile, FMA")),
    ("num_threads", .int(options.threads)),
  ])),
  ("config", .object([
    ("base", .int(options.base)), ("depth", .int(options.depth)), ("tile", .int(options.tile)),
    ("in_ch", .int(options.inputChannels)), ("classes", .int(options.classes)),
    ("threads", .int(options.threads)), ("mode", .string(options.mode)), ("reps", .int(options.reps)),
    ("warmup", .int(options.warmup)), ("lr", .number(Double(options.learningRate))),
    ("momentum", .number(Double(options.momentum))), ("batch", .int(1)),
    ("dropout", .number(Double(options.dropout))), ("upconv_relu", .bool(true)),
  ])),
  ("conv_layers", .int(convLayers)), ("params", .int(network.parameterCount)),
  ("input_size", .array([1, options.inputChannels, options.tile, options.tile].map { .int($0) })),
  ("output_size", .array([1, options.classes, outputSize, outputSize].map { .int($0) })),
  ("forward_gflop", .number(forwardGFLOP)), ("train_step_gflop_counted", .number(3 * forwardGFLOP)),
]
var profiles: [(String, JSON)] = []

if options.mode != "train" {
  let (summary, _) = timed(reps: options.reps, warmup: options.warmup, gflop: forwardGFLOP) {
    workspace.isProfiling = false
    _ = network.forward(input, workspace: workspace)
  }
  fields.append(("forward", summary))
  if options.profile {
    workspace.resetTimings()
    workspace.isProfiling = true
    for _ in 0..<options.reps { _ = network.forward(input, workspace: workspace) }
    workspace.isProfiling = false
    profiles.append(("forward", profileJSON(workspace.timings, reps: options.reps, peak: peak)))
  }
}
if options.mode != "forward" {
  var optimizer = Optimizer.sgd(learningRate: options.learningRate, momentum: options.momentum)
  var losses: [Float] = []
  let (summary, _) = timed(reps: options.reps, warmup: options.warmup, gflop: 3 * forwardGFLOP) {
    losses.append(
      network.trainingStep(
        input: input, targets: targets, weights: weights, optimizer: &optimizer, rng: &rng,
        workspace: workspace))
  }
  var trainFields: [(String, JSON)] = []
  if case .object(let f) = summary { trainFields = f }
  trainFields += [
    ("loss_first", .number(Double(losses.first ?? .nan))),
    ("loss_last", .number(Double(losses.last ?? .nan))),
    ("loss_finite", .bool(losses.allSatisfy(\.isFinite))),
  ]
  fields.append(("train_step", .object(trainFields)))
  if options.profile {
    workspace.resetTimings()
    workspace.isProfiling = true
    for _ in 0..<options.reps {
      network.trainingStep(
        input: input, targets: targets, weights: weights, optimizer: &optimizer, rng: &rng,
        workspace: workspace)
    }
    workspace.isProfiling = false
    profiles.append(("train_step", profileJSON(workspace.timings, reps: options.reps, peak: peak)))
  }
}
fields.append(("workspace_mib", .number(Double(workspace.allocatedBytes) / 1_048_576)))
fields.append(("max_rss_mib", .number(Double(Usage.now().maxRSSKiB) / 1024)))
if !profiles.isEmpty { fields.append(("profile", .object(profiles))) }
print(JSON.object(fields).text)
