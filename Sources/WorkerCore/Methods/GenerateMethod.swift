import Foundation
import JSONRPC
import NeuralCore
import SyntheticData

/// `generate` (extension): writes seeded synthetic image/label TIFF pairs, so the demo,
/// scripts and the plugin can try the worker without data of their own.
enum GenerateMethod {
  static let spec = MethodSpec(
    name: "generate",
    handler: .queued { params in
      try params.rejectUnknownKeys(allowed: ["kind", "output_dir", "count", "width", "height", "seed"])
      let kindName = try params.string("kind")
      guard let kind = SyntheticKind(rawValue: kindName) else {
        let names = SyntheticKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        throw RPCError.invalidParams(field: "kind", "kind must be one of \(names), not \"\(kindName)\"")
      }
      let folder = try params.string("output_dir")
      let count = try params.optionalInt("count", in: 1...10_000) ?? 1
      let width = try params.optionalInt("width", in: 8...16384) ?? 256
      let height = try params.optionalInt("height", in: 8...16384) ?? 256
      let seed = try params.optionalInt("seed", in: 0...Int(Int64.max)) ?? 1
      return { context in
        try OutputFiles.ensureFolder(folder)
        var images: [JSONValue] = []
        var labels: [JSONValue] = []
        for n in 0..<count {
          try context.token.check()
          let imageSeed = UInt64(seed) &* 1_000_003 &+ UInt64(n)
          let sample = generateSyntheticImage(kind: kind, width: width, height: height, seed: imageSeed)
          let base = URL(fileURLWithPath: folder).appendingPathComponent("\(kind.rawValue)_\(seed)_\(n)").path
          try OutputFiles.writeFloat([sample.image], to: base + ".tif", calibration: nil)
          try OutputFiles.writeLabels([sample.labels], to: base + "_labels.tif", calibration: nil)
          images.append(.string(base + ".tif"))
          labels.append(.string(base + "_labels.tif"))
          context.progress.report(stage: "generate", done: n + 1, total: count)
        }
        return .object(["images": .array(images), "labels": .array(labels)])
      }
    })
}
