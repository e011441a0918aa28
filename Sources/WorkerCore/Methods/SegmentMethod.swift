import Foundation
import ImageOps
import JSONRPC
import NeuralCore
import Segmentation
import TIFFSupport

/// `segment`: the paper's overlap-tile strategy over images of any size (Fig. 2), writing
/// probabilities, masks and instances next to each other in `output_dir`.
enum SegmentMethod {
  static let outputKinds = ["probabilities", "mask", "instances"]
  /// Default working-memory budget of one tile when `memory_mb` is not given.
  static let defaultMemoryMB = 1024.0

  struct Request: Sendable {
    var model: String
    var images: [String]
    var outputDir: String
    var outputs: Set<String>
    var tileSize: Int?
    var memoryMB: Double
    var tta: Bool
    var growInstances: Bool
    var threshold: Float
    /// Rims above this probability are grown into (never above `threshold`).
    var growthThreshold: Float
  }

  static let spec = MethodSpec(
    name: "segment",
    handler: .queued { params in
      let request = try parse(params)
      return { context in try run(request, context: context) }
    })

  static func parse(_ params: ParamsReader) throws(RPCError) -> Request {
    try params.rejectUnknownKeys(allowed: [
      "model", "images", "output_dir", "outputs", "tile_size", "memory_mb", "tta", "grow_instances", "threshold",
      "growth_threshold",
    ])
    let images = try params.stringArray("images")
    if images.isEmpty { throw RPCError.invalidParams(field: "images", "images must name at least one TIFF file") }
    let outputs = try params.optionalStringArray("outputs") ?? outputKinds
    for kind in outputs where !outputKinds.contains(kind) {
      throw RPCError.invalidParams(
        field: "outputs", "unknown output \"\(kind)\"; choose from \"probabilities\", \"mask\", \"instances\"")
    }
    if outputs.isEmpty { throw RPCError.invalidParams(field: "outputs", "outputs must name at least one output") }
    let threshold = Float(try params.optionalDouble("threshold", in: 0...1) ?? 0.5)
    return Request(
      model: try params.string("model"), images: images, outputDir: try params.string("output_dir"),
      outputs: Set(outputs), tileSize: try params.optionalInt("tile_size", in: 1...8192),
      memoryMB: try params.optionalDouble("memory_mb", in: 16...1_000_000) ?? defaultMemoryMB,
      tta: try params.optionalBool("tta") ?? false,
      growInstances: try params.optionalBool("grow_instances") ?? true,
      threshold: threshold,
      growthThreshold: min(threshold, Float(try params.optionalDouble("growth_threshold", in: 0...1)
        ?? Double(InstanceDefaults.growthThreshold))))
  }

  /// Output paths of one input, by kind.
  static func outputPaths(for input: String, in folder: String) -> [String: String] {
    Dictionary(uniqueKeysWithValues: outputKinds.map { ($0, OutputFiles.path(in: folder, for: input, suffix: "_\($0)")) })
  }

  static func run(_ request: Request, context: RequestContext) throws -> JSONValue {
    let model = try StoredModel.load(path: request.model)
    let predictor = UNetTilePredictor(network: model.network, parallel: context.environment.parallel)
    let plannedPaths = request.images.map { outputPaths(for: $0, in: request.outputDir) }
    try checkOutputs(plannedPaths, request: request)

    // Read every header first: wrong files fail before any work, and progress knows its total.
    let infos = try request.images.map { try TIFFReader.readInfo(path: $0) }
    // Outputs are stacks of one size; pages of different sizes or channel counts would also
    // defeat the channel check below, which sees page 0 only.
    for (path, info) in zip(request.images, infos) where !info.isUniform {
      throw RPCError.fileUnreadable(
        path: path, "\(path) holds images of different sizes, channel counts or sample types; segment them as separate files")
    }
    for (path, info) in zip(request.images, infos) where info.channels != predictor.inputChannels {
      throw RPCError.dataMismatch(
        "\(path) has \(info.channels) channel(s) but the model expects \(predictor.inputChannels)",
        ["path": .string(path), "channels": .int(Int64(info.channels)),
               "model_channels": .int(Int64(predictor.inputChannels))])
    }
    let tileSize = try chooseTileSize(request, predictor: predictor, infos: infos)
    let segmenter = OverlapTileSegmenter(predictor: predictor, outputTileSize: tileSize, testTimeAugmentation: request.tta)
    let tilesPerImage = infos.map { info in
      segmenter.plan(imageWidth: info.width, imageHeight: info.height).tiles.count * info.imageCount
    }
    let totalTiles = tilesPerImage.reduce(0, +)
    try OutputFiles.ensureFolder(request.outputDir)

    var finishedTiles = 0
    var results: [JSONValue] = []
    for (index, path) in request.images.enumerated() {
      let (pages, stack) = try ImageLoading.images(at: path)
      var probabilities: [Tensor] = []
      var masks: [[UInt8]] = []
      var instances: [LabelImage] = []
      var objects = 0
      for page in pages {
        let normalized = model.normalization.normalized(page.pixels)
        let done = finishedTiles
        let probability: Tensor
        do {
          probability = try segmenter.segment(
          normalized,
          progress: { tile, _ in
            context.progress.report(
              stage: "segment", done: done + tile, total: totalTiles, extra: [("image", .int(Int64(index)))])
          },
          isCancelled: { context.token.isCancelled })
        } catch {
          throw RequestCancelled()
        }
        finishedTiles = done + segmenter.plan(imageWidth: page.pixels.width, imageHeight: page.pixels.height).tiles.count
        if request.outputs.contains("probabilities") { probabilities.append(probability) }
        let mask = foregroundMask(probability, threshold: request.threshold)
        if request.outputs.contains("mask") { masks.append(mask) }
        if request.outputs.contains("instances") {
          let labelled = instanceLabels(
            mask: mask, probability: probability, growInstances: request.growInstances,
            growthThreshold: request.growthThreshold)
          instances.append(labelled.labels)
          objects += labelled.count
        }
      }
      try context.token.check()
      let paths = plannedPaths[index]
      var entry: [(String, JSONValue)] = [("image", .string(path))]
      let width = pages.first?.pixels.width ?? 0
      let height = pages.first?.pixels.height ?? 0
      if let out = paths["probabilities"], request.outputs.contains("probabilities") {
        try OutputFiles.writeFloat(probabilities, to: out, calibration: stack.calibration)
        entry.append(("probabilities", .string(out)))
      }
      if let out = paths["mask"], request.outputs.contains("mask") {
        try OutputFiles.writeMask(masks, width: width, height: height, to: out, calibration: stack.calibration)
        entry.append(("mask", .string(out)))
      }
      if let out = paths["instances"], request.outputs.contains("instances") {
        try OutputFiles.writeLabels(instances, to: out, calibration: stack.calibration)
        entry.append(("instances", .string(out)))
        entry.append(("objects", .int(Int64(objects))))
      }
      results.append(.object(JSONObject(entry)))
    }
    return .object(["outputs": .array(results), "tile_size": .int(Int64(tileSize)), "tta": .bool(request.tta)])
  }

  /// Outputs may not overwrite an input, and two inputs may not share output names.
  static func checkOutputs(_ planned: [[String: String]], request: Request) throws(RPCError) {
    var owner: [String: String] = [:]
    for (input, paths) in zip(request.images, planned) {
      for kind in request.outputs {
        guard let path = paths[kind] else { continue }
        try OutputFiles.ensureNotAnInput(path, inputs: request.images + [request.model])
        let key = OutputFiles.canonical(path)
        if let other = owner[key], other != input {
          throw RPCError.invalidParams(
            field: "images", "\(other) and \(input) would both write \(path); give them different names")
        }
        owner[key] = input
      }
    }
  }

  /// The requested tile size rounded to a legal size, or the largest that fits `memory_mb`.
  static func chooseTileSize(_ request: Request, predictor: UNetTilePredictor, infos: [TIFFStackInfo]) throws -> Int {
    let widest = infos.map(\.width).max() ?? 1
    let tallest = infos.map(\.height).max() ?? 1
    if let requested = request.tileSize {
      return legalOutputTileSize(requested: requested, predictor: predictor, imageWidth: widest, imageHeight: tallest)
    }
    return defaultOutputTileSize(
      predictor: predictor, memoryBudgetBytes: Int(request.memoryMB * 1_048_576),
      imageWidth: widest, imageHeight: tallest)
  }
}
