import Foundation
import JSONRPC
import NeuralCore
import SyntheticData

/// `generate` (extension): writes seeded synthetic image/label TIFF pairs, so the demo,
/// scripts and the plugin can try the worker without data of their own.
enum GenerateMethod {
  /// The classes of the `mixed` kind, background first (for `train`'s `config.class_names`).
  static let mixedClassNames = ["background", "nucleus", "cell"]

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
        var instances: [JSONValue] = []
        for n in 0..<count {
          try context.token.check()
          let imageSeed = UInt64(seed) &* 1_000_003 &+ UInt64(n)
          let base = URL(fileURLWithPath: folder).appendingPathComponent("\(kind.rawValue)_\(seed)_\(n)").path
          if kind == .mixed {
            // Class ids as the labels (train with label_kind "classes"), the objects beside them.
            let sample = generateMixed(width: width, height: height, seed: imageSeed)
            try OutputFiles.writeFloat([sample.image], to: base + ".tif", calibration: nil)
            try OutputFiles.writeLabels([sample.classes], to: base + "_labels.tif", calibration: nil)
            try OutputFiles.writeLabels([sample.instances], to: base + "_instances.tif", calibration: nil)
            instances.append(.string(base + "_instances.tif"))
          } else {
            let sample = generateSyntheticImage(kind: kind, width: width, height: height, seed: imageSeed)
            try OutputFiles.writeFloat([sample.image], to: base + ".tif", calibration: nil)
            try OutputFiles.writeLabels([sample.labels], to: base + "_labels.tif", calibration: nil)
          }
          images.append(.string(base + ".tif"))
          labels.append(.string(base + "_labels.tif"))
          context.progress.report(stage: "generate", done: n + 1, total: count)
        }
        var result: [(String, JSONValue)] = [("images", .array(images)), ("labels", .array(labels))]
        if kind == .mixed {
          result += [
            ("instances", .array(instances)), ("classes", .int(Int64(kind.classes))),
            ("class_names", .array(mixedClassNames.map { .string($0) })),
          ]
        }
        return .object(JSONObject(result))
      }
    })
}
