import Foundation
import JSONRPC
import ModelExport
import NeuralCore

/// `export`: a trained model as a bioimage.io model package (format 0.5, ONNX weights written
/// by `ModelExport`, test tensors computed by this worker), so deepImageJ, bioimageio.core and
/// other bioimage.io consumers can run it without us.
enum ExportMethod {
  static let defaultName = "U-Net segmentation (unet-worker)"
  static let defaultAuthor = "unet-worker"
  /// The test tile's output edge when `tile_size` is not given: the smallest legal size of
  /// at least this many pixels (small package, still a real tile).
  static let defaultTestTile = 64
  /// Limits of the bioimage.io description fields (bioimageio.spec 0.5).
  static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+- ()")
  static let nameLength = 5...128
  static let descriptionLength = 1...1024

  struct Request: Sendable {
    var model: String
    var output: String
    var name: String
    var description: String?
    var authors: [String]
    var tileSize: Int?
  }

  static let spec = MethodSpec(
    name: "export",
    handler: .queued { params in
      let request = try parse(params)
      return { context in try run(request, context: context) }
    })

  static func parse(_ params: ParamsReader) throws(RPCError) -> Request {
    try params.rejectUnknownKeys(allowed: ["model", "output", "name", "description", "authors", "tile_size"])
    let model = try params.string("model")
    let output = try params.string("output")
    guard output.lowercased().hasSuffix(".zip"), output.count > 4 else {
      throw RPCError.invalidParams(field: "output", "output must be a .zip file (a bioimage.io model package), got \(output)")
    }
    let name = try params.optionalString("name") ?? defaultName
    if !nameLength.contains(name.count) || !name.allSatisfy(nameCharacters.contains) {
      throw RPCError.invalidParams(
        field: "name",
        "name must be \(nameLength.lowerBound) to \(nameLength.upperBound) characters of letters, digits, spaces and _ + - ( ) (bioimage.io's rule), got \"\(name)\"")
    }
    let description = try params.optionalString("description")
    if let description, !descriptionLength.contains(description.count) {
      throw RPCError.invalidParams(
        field: "description", "description must be 1 to \(descriptionLength.upperBound) characters (bioimage.io's limit)")
    }
    let tileSize = try params.optionalInt("tile_size", in: 1...1024)
    try OutputFiles.ensureNotAnInput(output, inputs: [model])
    return Request(
      model: model, output: output, name: name, description: description,
      authors: try authors(params), tileSize: tileSize)
  }

  /// `authors`: a non-empty array of `{"name": string}` (no `/` in a name, bioimage.io's rule).
  private static func authors(_ params: ParamsReader) throws(RPCError) -> [String] {
    guard let value = try params.value("authors"), !value.isNull else { return [defaultAuthor] }
    guard case .array(let entries) = value, !entries.isEmpty else {
      throw RPCError.invalidParams(field: "authors", "authors must be a non-empty array of {\"name\": ...}")
    }
    var names: [String] = []
    for (index, entry) in entries.enumerated() {
      let reader = ParamsReader(entry, path: "authors[\(index)]")
      guard case .object = entry else {
        throw RPCError.invalidParams(field: "authors[\(index)]", "authors[\(index)] must be an object {\"name\": ...}")
      }
      try reader.rejectUnknownKeys(allowed: ["name"])
      let name = try reader.string("name")
      if name.trimmingCharacters(in: .whitespaces).isEmpty || name.contains("/") {
        throw RPCError.invalidParams(field: "authors[\(index)].name", "an author's name must be non-empty and without \"/\"")
      }
      names.append(name)
    }
    return names
  }

  static func run(_ request: Request, context: RequestContext) throws -> JSONValue {
    context.progress.report(stage: "export", done: 0, total: 1)
    let model = try StoredModel.load(path: request.model)
    let configuration = model.network.configuration
    let geometry = configuration.geometry
    let tile: Int
    if let size = request.tileSize {
      do {
        try geometry.validate(outputSize: size)
      } catch {
        throw RPCError.invalidParams(field: "tile_size", "\(error)")
      }
      tile = size
    } else {
      tile = geometry.smallestLegalOutputSize(atLeast: defaultTestTile) ?? geometry.minimumOutputSize
    }
    guard ModelPackage.fits(parameterCount: model.network.parameterCount) else {
      throw RPCError.dataMismatch(
        "the model has \(model.network.parameterCount) parameters; an ONNX file (2 GiB) holds at most 500 million")
    }
    // bioimage.io's scale_range takes max_percentile in (1, 100] (to catch fractions given as 0...1).
    guard model.normalization.highPercentile > 1 else {
      throw RPCError.dataMismatch(
        "the model normalises to its percentile \(model.normalization.highPercentile); bioimage.io's scale_range needs an upper percentile above 1")
    }
    let classes = configuration.classes
    var packageRequest = ModelPackage.Request(
      network: model.network, normalization: model.normalization, classNames: model.classNames,
      name: request.name,
      description: request.description
        ?? "U-Net (Ronneberger et al. 2015) for 2D segmentation into \(classes) classes, trained with unet-worker.",
      authors: request.authors, testOutputSize: tile, trainingSummary: trainingSummary(model.history))
    packageRequest.pixelSize = model.pixelSize
    packageRequest.producerVersion = WorkerInfo.version
    try context.token.check()
    let package = ModelPackage(packageRequest, parallel: context.environment.parallel)
    try context.token.check()
    try AtomicFile.write(package.bytes, to: request.output)
    context.progress.report(stage: "export", done: 1, total: 1)
    return .object([
      "output": .string(request.output),
      "format": .string("bioimageio"),
      "onnx_opset": .int(ONNX.opsetVersion),
      "sha256": .string(SHA256.hexDigest(package.bytes)),
    ])
  }

  private static func trainingSummary(_ history: TrainingHistory) -> String {
    var parts = ["\(history.iterations) iterations"]
    if let loss = history.lastLoss { parts.append("final loss \(loss)") }
    if let date = history.date { parts.append("last trained \(date)") }
    return parts.joined(separator: ", ") + "."
  }
}
