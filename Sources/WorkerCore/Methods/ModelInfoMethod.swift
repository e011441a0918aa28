import JSONRPC
import NeuralCore

/// `model_info`: a model's configuration, legal tile sizes, normalisation and training
/// history, so a client can fill its dialog. Answered at once (it reads one file).
enum ModelInfoMethod {
  /// The range of output tile edges listed as legal.
  static let listedTileSizes = 1...1024

  static let spec = MethodSpec(
    name: "model_info",
    handler: .immediate { params, _ in
      try params.rejectUnknownKeys(allowed: ["model"])
      let path = try params.string("model")
      let model = try StoredModel.load(path: path)
      let configuration = model.network.configuration
      let geometry = UNetGeometry(depth: configuration.depth)
      let legal = geometry.legalOutputSizes(in: listedTileSizes)
      return .object([
        "model": .string(path),
        "input_channels": .int(Int64(configuration.inputChannels)),
        "classes": .int(Int64(configuration.classes)),
        "class_names": model.classNames.map { .array($0.map { .string($0) }) } ?? .null,
        "base_channels": .int(Int64(configuration.baseChannels)),
        "depth": .int(Int64(configuration.depth)),
        "dropout": .double(Double(configuration.dropout)),
        "margin": .int(Int64(geometry.margin)),
        "legal_tile_sizes": .array(legal.map { .int(Int64($0)) }),
        "normalization": .object(JSONObject(model.normalization.metadata.map { ($0.0, JSONValue.string($0.1)) })),
        "training": model.history.json,
        "parameters": .int(Int64(model.network.parameterCount)),
        "post_processing": model.calibration?.json ?? .null,
        "pixel_size": model.pixelSize.map { .double($0) } ?? .null,
      ])
    })
}
