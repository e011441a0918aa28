import Foundation
import NeuralCore
import Segmentation

/// Command-line options; names and defaults as the peer script's (Benchmarks/unet_peer.py).
struct Options {
  var base = 64
  var depth = 4
  var tile = 572
  var mode = "both"
  var reps = 5
  var warmup = 2
  var threads = 2
  var profile = false
  var inputChannels = 1
  var classes = 2
  var learningRate: Float = 1e-4
  var momentum: Float = 0.99
  var dropout: Float = 0
  var seed: UInt64 = 0
  var peakGFLOPsPerThread = 116.16
  /// Edge of the square image of `--mode segment`.
  var image = 512
  /// The forward 3×3 convolutions' Winograd algorithm (`UNetWorkspace.forwardWinograd`).
  var winograd = WinogradVariant.f4x4MixedPoints
  /// `--mode segment` only: choose the tile as the worker does (`defaultOutputTileSize`)
  /// within `memoryBudgetBytes` instead of taking `--tile`.
  var autoTile = false
  var memoryBudgetBytes = SegmentationDefaults.memoryBudgetBytes

  static let usage = """
    usage: unet-bench [--base-channels N] [--depth N] [--tile N] [--mode forward|train|both|segment]
                      [--reps N] [--warmup N] [--threads N] [--profile] [--image N] [--in-ch N]
                      [--classes N] [--lr X] [--momentum X] [--dropout X] [--seed N] [--peak-gflops X]
                      [--winograd f4x4|f4x4half|f4x4mixed|f2x2] [--auto-tile] [--memory-mb N]

    Times the U-Net on one tile (--tile is the input edge: 572 -> 388 output) and prints one JSON
    line with the peer script's fields (Benchmarks/unet_peer.py). forward: inference of one tile;
    train: forward + weighted softmax cross-entropy + backward + SGD momentum; both: the two;
    segment: an --image x --image image (default 512) through the overlap-tile segmenter with
    output tiles of the --tile network (the JSON gives the tile count, to compare with the peers'
    forward time for as many tiles); with --auto-tile, segment ignores --tile and takes the output
    tile the worker would choose for the image within --memory-mb (default 1024, the worker's
    memory_mb default), reported in the JSON. --profile adds per-layer times and the fraction of
    peak (--peak-gflops per thread, default 116.16: 32 FP32 FLOP/cycle x 3.63 GHz). --winograd f2x2
    runs every forward 3x3 convolution with Winograd F(2x2,3x3) (the previous path) instead of
    F(4x4,3x3) on the large maps; f4x4 and f4x4half choose F(4x4)'s interpolation points 0,+-1,+-2
    and 0,+-1,+-1/2 instead of the default 0,+-1,2,-1/2 (f4x4mixed, the most accurate).
    """

  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("unet-bench: \(message)\n".utf8))
    exit(2)
  }

  init() {}

  init(parsing arguments: [String]) {
    var i = 0
    func value(_ flag: String) -> String {
      i += 1
      guard i < arguments.count else { Options.fail("\(flag) needs a value") }
      return arguments[i]
    }
    func int(_ flag: String) -> Int {
      guard let v = Int(value(flag)), v >= 0 else { Options.fail("\(flag) needs a non-negative integer") }
      return v
    }
    func float(_ flag: String) -> Float {
      guard let v = Float(value(flag)) else { Options.fail("\(flag) needs a number") }
      return v
    }
    while i < arguments.count {
      let flag = arguments[i]
      switch flag {
      case "--base-channels", "--base": base = int(flag)
      case "--depth": depth = int(flag)
      case "--tile": tile = int(flag)
      case "--mode":
        mode = value(flag)
        guard ["forward", "train", "both", "segment"].contains(mode) else {
          Options.fail("--mode must be forward, train, both or segment")
        }
      case "--reps": reps = max(1, int(flag))
      case "--warmup": warmup = int(flag)
      case "--threads": threads = max(1, int(flag))
      case "--profile": profile = true
      case "--image": image = max(1, int(flag))
      case "--in-ch": inputChannels = int(flag)
      case "--classes": classes = int(flag)
      case "--lr": learningRate = float(flag)
      case "--momentum": momentum = float(flag)
      case "--dropout": dropout = float(flag)
      case "--seed": seed = UInt64(int(flag))
      case "--peak-gflops": peakGFLOPsPerThread = Double(float(flag))
      case "--winograd":
        switch value(flag) {
        case "f4x4": winograd = .f4x4
        case "f4x4half": winograd = .f4x4HalfPoints
        case "f4x4mixed": winograd = .f4x4MixedPoints
        case "f2x2": winograd = .f2x2
        default: Options.fail("--winograd must be f4x4, f4x4half, f4x4mixed or f2x2")
        }
      case "--auto-tile": autoTile = true
      case "--memory-mb": memoryBudgetBytes = max(1, int(flag)) << 20
      case "--help", "-h":
        print(Options.usage)
        exit(0)
      default: Options.fail("unknown flag \(flag) (try --help)")
      }
      i += 1
    }
    if autoTile && mode != "segment" { Options.fail("--auto-tile needs --mode segment") }
  }

  var timesForward: Bool { mode == "forward" || mode == "both" }
  var timesTraining: Bool { mode == "train" || mode == "both" }
}
