import JSONRPC

/// `train`: trains a U-Net (or fine-tunes one) on image/label pairs with the paper's weighted
/// loss and augmentation, checkpointing `model_out` atomically as it goes.
enum TrainMethod {
  /// Iterations when neither `iterations` nor `max_seconds` is given.
  static let defaultIterations = TrainingConfiguration.defaultIterations

  struct Request: Sendable {
    var images: [String]
    var labels: [String]
    var modelOut: String
    var initModel: String?
    var iterations: Int?
    var maxSeconds: Double?
    var validationImages: [String] = []
    var validationLabels: [String] = []
    var configuration: TrainingConfiguration
    /// True when the client set architecture keys (they do not apply when fine-tuning).
    var setsArchitecture: Bool
  }

  static let spec = MethodSpec(
    name: "train",
    handler: .queued { params in
      let request = try parse(params)
      return { context in
        context.environment.inferenceCache.release()  // training's memory first
        return try Trainer(request: request, context: context).run()
      }
    })

  static func parse(_ params: ParamsReader) throws(RPCError) -> Request {
    try params.rejectUnknownKeys(allowed: [
      "images", "labels", "model_out", "init_model", "iterations", "max_seconds", "validation", "config",
    ])
    let config = try params.contains("config") ? params.nested("config") : ParamsReader(nil, path: "config")
    let setsBase = try config.contains("base_channels")
    let setsDepth = try config.contains("depth")
    let setsArchitecture = setsBase || setsDepth
    var request = Request(
      images: try params.stringArray("images"), labels: try params.stringArray("labels"),
      modelOut: try params.string("model_out"), initModel: try params.optionalString("init_model"),
      iterations: try params.optionalInt("iterations", in: 1...100_000_000),
      maxSeconds: try params.optionalDouble("max_seconds", in: 0.001...1e9),
      configuration: try TrainingConfiguration(config),
      setsArchitecture: setsArchitecture)
    if request.images.isEmpty {
      throw RPCError.invalidParams(field: "images", "images must name at least one TIFF file")
    }
    if request.images.count != request.labels.count {
      throw RPCError.invalidParams(
        field: "labels", "\(request.images.count) images but \(request.labels.count) label images; they pair up in order")
    }
    if try params.contains("validation") {
      let validation = try params.nested("validation")
      try validation.rejectUnknownKeys(allowed: ["images", "labels"])
      request.validationImages = try validation.stringArray("images")
      request.validationLabels = try validation.stringArray("labels")
      if request.validationImages.count != request.validationLabels.count {
        throw RPCError.invalidParams(
          field: "validation.labels",
          "\(request.validationImages.count) validation images but \(request.validationLabels.count) label images")
      }
    }
    let inputs = request.images + request.labels + request.validationImages + request.validationLabels
    try OutputFiles.ensureNotAnInput(request.modelOut, inputs: inputs)
    return request
  }
}
