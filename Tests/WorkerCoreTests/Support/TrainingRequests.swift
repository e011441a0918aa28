import JSONRPC
import Testing

/// Params of the requests the tests send most, with the tiny network that keeps training fast.
enum TrainingRequests {
  /// A small U-Net (8 channels, 2 poolings, 44-pixel output tiles): a few hundred iterations
  /// take about a second on one core.
  static let tinyConfig: JSONObject = ["base_channels": 8, "depth": 2, "tile_size": 44]

  /// `train` params for one image/label pair; `config` is merged over `tinyConfig`.
  static func train(
    image: String, labels: String, modelOut: String, iterations: Int? = nil, maxSeconds: Double? = nil,
    initModel: String? = nil, config: JSONObject = [:]
  ) -> JSONValue {
    var merged = tinyConfig
    for (key, value) in config { merged[key] = value }
    var params: JSONObject = [
      "images": [.string(image)], "labels": [.string(labels)], "model_out": .string(modelOut),
      "config": .object(merged),
    ]
    if let iterations { params["iterations"] = .int(Int64(iterations)) }
    if let maxSeconds { params["max_seconds"] = .double(maxSeconds) }
    if let initModel { params["init_model"] = .string(initModel) }
    return .object(params)
  }

  /// `segment` params for images into `outputDir`; `extra` adds options.
  static func segment(model: String, images: [String], outputDir: String, extra: JSONObject = [:]) -> JSONValue {
    var params: JSONObject = [
      "model": .string(model), "images": .array(images.map { .string($0) }), "output_dir": .string(outputDir),
    ]
    for (key, value) in extra { params[key] = value }
    return .object(params)
  }
}

extension WorkerSession {
  /// Writes a synthetic nuclei image and its labels into `folder` through `generate`.
  func generateNuclei(
    in folder: TestFolder, width: Int = 64, height: Int = 64, seed: Int = 1
  ) async throws -> (image: String, labels: String) {
    let reply = try await call(
      .string("generate-\(seed)"), "generate",
      ["kind": "nuclei", "output_dir": .string(folder.path), "width": .int(Int64(width)),
       "height": .int(Int64(height)), "seed": .int(Int64(seed))])
    let image = try #require(reply.result?["images"]?[0]?.stringValue, "\(reply)")
    let labels = try #require(reply.result?["labels"]?[0]?.stringValue, "\(reply)")
    return (image, labels)
  }

  /// Trains the tiny network for `iterations` and returns the model's path.
  func trainTinyModel(
    image: String, labels: String, modelOut: String, iterations: Int, config: JSONObject = [:]
  ) async throws -> String {
    let reply = try await call(
      .string("train-\(modelOut)"), "train",
      TrainingRequests.train(image: image, labels: labels, modelOut: modelOut, iterations: iterations, config: config))
    return try #require(reply.result?["model"]?.stringValue, "\(reply)")
  }

  /// Generates a nuclei pair in `folder` and starts training on it as request `id` for a
  /// million iterations (it runs until cancelled; no checkpoint unless `config` asks for one).
  /// Returns once it has reported `atLeast` training iterations.
  func startLongTraining(
    in folder: TestFolder, id: JSONValue = "long", config: JSONObject = ["checkpoint_every": 1_000_000],
    atLeast: Int = 1
  ) async throws -> (image: String, labels: String) {
    let (image, labels) = try await generateNuclei(in: folder)
    send(
      id: id, method: "train",
      params: TrainingRequests.train(
        image: image, labels: labels, modelOut: folder.file("m.unet"), iterations: 1_000_000, config: config))
    try await waitForProgress(of: id, stage: "train", atLeast: atLeast)
    return (image, labels)
  }

  /// Waits until request `id` has reported progress of `stage` with `done` at least `atLeast`.
  func waitForProgress(of id: JSONValue, stage: String, atLeast: Int = 1) async throws {
    _ = try await waitFor("progress \(stage) ≥ \(atLeast) of \(id)") { session in
      session.progress(of: id).first {
        $0["params"]?["stage"] == .string(stage) && ($0["params"]?["done"]?.int64Value ?? 0) >= atLeast
      }
    }
  }
}
