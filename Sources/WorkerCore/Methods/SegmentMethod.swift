import Foundation
import ImageOps
import JSONRPC
import NeuralCore
import Segmentation
import TIFFSupport

/// `segment`: the paper's overlap-tile strategy over images of any size (Fig. 2), writing
/// probabilities, masks, instances, class maps, ImageJ ROIs and object tables next to each
/// other in `output_dir`.
enum SegmentMethod {
  static let outputKinds = ["probabilities", "mask", "instances", "classes", "rois", "table"]
  /// What `outputs` means when it is not given: everything but the class map.
  static let defaultOutputKinds = ["probabilities", "mask", "instances"]
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
    /// Threshold, growth and fragment removal as given; `growth_threshold` and
    /// `min_object_area` not given (nil) come from the model (`instanceOptions(for:)`).
    var instanceOptions: InstanceOptions
    var growthThreshold: Float?
    var minimumArea: Int?
    /// `threshold` was given (it applies to two-class models only).
    var setsThreshold = false
    /// `pixel_size`: micrometres per pixel of every input, overriding what the files state.
    var pixelSize: Double? = nil
    /// `stream`: segment band by band (true), in memory (false), or by size (nil; see
    /// `StreamedSegmentation`).
    var stream: Bool? = nil

    /// Whether the image of `info` is segmented band by band.
    /// - Throws: `invalidParams` when `stream` is true and the image cannot be streamed;
    ///   `fileUnreadable` when it is not streamed and too large to decode whole.
    func streams(_ path: String, info: TIFFStackInfo, classes: Int, grid: SegmentationGrid) throws(RPCError) -> Bool {
      let obstacle = StreamedSegmentation.obstacle(info: info, classes: classes, grid: grid, kinds: outputs)
      if stream == true, let obstacle {
        throw RPCError.invalidParams(field: "stream", "\(path) cannot be streamed: \(obstacle)")
      }
      let streams = obstacle == nil && (stream ?? (info.width * info.height >= StreamedSegmentation.automaticPixels))
      if !streams { try SegmentMethod.checkDecodableWhole(path, info: info, obstacle: obstacle) }
      return streams
    }

    /// The options for `model`: what the request gives, else the post-processing calibrated
    /// at training, else the defaults (the minimum area from the training labels). The model's
    /// area counts pixels of its own grid and is converted to `grid`'s input pixels; a
    /// requested `min_object_area` counts input pixels already.
    func instanceOptions(for model: StoredModel, grid: SegmentationGrid? = nil) -> InstanceOptions {
      var options = instanceOptions
      options.growthThreshold = min(
        options.threshold, growthThreshold ?? model.calibration?.growthThreshold ?? InstanceOptions.defaultGrowthThreshold)
      let modelArea = model.calibration?.minimumArea ?? model.suggestedMinimumObjectArea
      options.minimumArea = minimumArea ?? grid.map { $0.inputArea(modelArea) } ?? modelArea
      return options
    }

    /// The grid the network sees an input of `info` on (`SegmentationGrid`).
    func grid(for info: TIFFStackInfo, model: StoredModel) -> SegmentationGrid {
      SegmentationGrid(
        inputWidth: info.width, inputHeight: info.height,
        pixelSize: pixelSize.map(PixelSize.init) ?? PixelSize(calibration: info.calibration),
        modelPixelSize: model.pixelSize)
    }
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
      "growth_threshold", "min_object_area", "pixel_size", "stream",
    ])
    let images = try params.stringArray("images")
    if images.isEmpty { throw RPCError.invalidParams(field: "images", "images must name at least one TIFF file") }
    let outputs = try params.optionalStringArray("outputs") ?? defaultOutputKinds
    for kind in outputs where !outputKinds.contains(kind) {
      throw RPCError.invalidParams(
        field: "outputs",
        "unknown output \"\(kind)\"; choose from \(outputKinds.map { "\"\($0)\"" }.joined(separator: ", "))")
    }
    if outputs.isEmpty { throw RPCError.invalidParams(field: "outputs", "outputs must name at least one output") }
    let threshold = Float(try params.optionalDouble("threshold", in: 0...1) ?? Double(InstanceOptions.defaultThreshold))
    let minimumArea = try params.optionalInt("min_object_area", in: 0...Int(Int32.max))
    let growthThreshold = try params.optionalDouble("growth_threshold", in: 0...1).map { Float($0) }
    let setsThreshold = try params.contains("threshold")
    return Request(
      model: try params.string("model"), images: images, outputDir: try params.string("output_dir"),
      outputs: Set(outputs), tileSize: try params.optionalInt("tile_size", in: 1...8192),
      memoryMB: try params.optionalDouble("memory_mb", in: 16...1_000_000) ?? defaultMemoryMB,
      tta: try params.optionalBool("tta") ?? false,
      instanceOptions: InstanceOptions(
        threshold: threshold,
        growInstances: try params.optionalBool("grow_instances") ?? InstanceOptions.defaultGrowInstances),
      growthThreshold: growthThreshold, minimumArea: minimumArea, setsThreshold: setsThreshold,
      pixelSize: try params.optionalDouble("pixel_size", in: PixelSize.acceptedRange),
      stream: try params.optionalBool("stream"))
  }

  /// Output paths of one input, by kind: `<stem>_<kind>.tif`, `<stem>_rois.zip` and
  /// `<stem>_objects.csv`.
  static func outputPaths(for input: String, in folder: String) -> [String: String] {
    Dictionary(uniqueKeysWithValues: outputKinds.map { kind in
      let path = switch kind {
      case "rois": OutputFiles.path(in: folder, for: input, suffix: "_rois", extension: "zip")
      case "table": OutputFiles.path(in: folder, for: input, suffix: "_objects", extension: "csv")
      default: OutputFiles.path(in: folder, for: input, suffix: "_\(kind)")
      }
      return (kind, path)
    })
  }

  static func run(_ request: Request, context: RequestContext) throws -> JSONValue {
    let cached = try context.environment.inferenceCache.checkOut(path: request.model, parallel: context.environment.parallel)
    defer { context.environment.inferenceCache.checkIn(cached) }
    let model = cached.model
    let instanceOptions = request.instanceOptions(for: model)
    let classes = model.network.configuration.classes
    if classes > 2 && request.setsThreshold {
      context.progress.log(
        "warning", "threshold applies to two-class models; with \(classes) classes each pixel takes its most probable class")
    }
    let predictor = UNetTilePredictor(
      network: model.network, parallel: context.environment.parallel, workspace: cached.workspace)
    let plannedPaths = request.images.map { outputPaths(for: $0, in: request.outputDir) }
    try checkOutputs(plannedPaths, request: request)

    // Read every header first: wrong files fail before any work, and progress knows its total.
    // Files are read page by page or band by band, so the limit is the streamed one; a page
    // that must be decoded whole is held to the standard limit below.
    let infos = try request.images.map { try TIFFReader.readInfo(path: $0, limits: .streamed) }
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
    let grids = infos.map { request.grid(for: $0, model: model) }
    let streamed = try zip(request.images, zip(infos, grids)).map { path, infoAndGrid in
      try request.streams(path, info: infoAndGrid.0, classes: classes, grid: infoAndGrid.1)
    }
    if let modelPixelSize = model.pixelSize,
      let unstated = zip(request.images, grids).first(where: { $0.1.pixelSize == nil })?.0
    {
      context.progress.log(
        "warning",
        "the model was trained at \(modelPixelSize) µm per pixel but \(unstated) states no pixel size; images without one are segmented as they are (give pixel_size to resample them)")
    }
    // Each input gets the tile that suits its own size: a 256x256 image among 1388x1040 ones
    // would otherwise be computed as one tile of the largest (up to 30 times the work).
    // A streamed image's tiles fit a smaller budget, and (unless `tile_size` is given) its
    // bands, as wide as the image, stay within `maximumBandPixels`: memory does not grow with it.
    let segmenters = zip(grids, streamed).map { grid, streams in
      var budget = request
      if streams { budget.memoryMB = min(request.memoryMB, StreamedSegmentation.tileMemoryMB) }
      let (width, height) = (grid.networkWidth, grid.networkHeight)
      var size = chooseTileSize(budget, predictor: predictor, width: width, height: height)
      if streams && request.tileSize == nil && size * width > StreamedSegmentation.maximumBandPixels {
        size = legalOutputTileSize(
          requested: StreamedSegmentation.maximumBandPixels / width, predictor: predictor, imageWidth: width,
          imageHeight: height)
      }
      return OverlapTileSegmenter(predictor: predictor, outputTileSize: size, testTimeAugmentation: request.tta)
    }
    let tilesPerImage = zip(segmenters, zip(grids, infos)).map { segmenter, gridAndInfo in
      let (grid, info) = gridAndInfo
      return segmenter.plan(imageWidth: grid.networkWidth, imageHeight: grid.networkHeight).tiles.count * info.imageCount
    }
    let totalTiles = tilesPerImage.reduce(0, +)
    try OutputFiles.ensureFolder(request.outputDir)

    var finishedTiles = 0
    var results: [JSONValue] = []
    for (index, path) in request.images.enumerated() {
      // One page at a time: memory is bounded by a page and its outputs, not by the stack.
      let reader = try TIFFPageReader(path: path, limits: .streamed)
      // The checks above were made on this header; a file replaced since could break them.
      guard reader.info == infos[index] else {
        throw RPCError.fileUnreadable(path: path, "\(path) changed while the request was running")
      }
      let segmenter = segmenters[index]
      let grid = grids[index]
      let options = request.instanceOptions(for: model, grid: grid)
      if streamed[index] {
        let streaming = StreamedSegmentation(
          reader: reader, segmenter: segmenter, normalization: model.normalization, options: options,
          paths: plannedPaths[index], kinds: request.outputs, scratchFolder: request.outputDir)
        var entry: [(String, JSONValue)] = [
          ("image", .string(path)), ("tile_size", .int(Int64(segmenter.outputTileSize))),
        ]
        if let pixelSize = grid.pixelSize { entry.append(("pixel_size", .double(pixelSize.micrometres))) }
        entry += try streaming.run(
          context: context, imageIndex: index, tilesBefore: finishedTiles, totalTiles: totalTiles)
        finishedTiles += tilesPerImage[index]
        results.append(.object(JSONObject(entry)))
        continue
      }
      let outputs = try StackOutputs(
        paths: plannedPaths[index], kinds: request.outputs, pageCount: reader.imageCount, classes: classes,
        calibration: reader.info.calibration, parallel: context.environment.parallel)
      do {
        for page in 0..<reader.imageCount {
          // Only the normalised copy outlives this line: the decoded page and its float
          // conversion are freed before the network runs (8192x8192: 256 MB each).
          let normalized = model.normalization.normalized(grid.toNetwork(ImageLoading.tensor(try reader.image(at: page))))
          let done = finishedTiles
          let plannedTiles = segmenter.plan(imageWidth: normalized.width, imageHeight: normalized.height).tiles.count
          let progress = { (tile: Int, _: Int) in
            context.progress.report(
              stage: "segment", done: done + tile, total: totalTiles, extra: [("image", .int(Int64(index)))])
          }
          do {
            if classes > 2 {
              let probabilities = try segmenter.classProbabilities(
                normalized, progress: progress, isCancelled: { context.token.isCancelled })
              try outputs.append(classProbabilities: grid.toInput(probabilities), options: options)
            } else {
              let probability = try segmenter.segment(
                normalized, progress: progress, isCancelled: { context.token.isCancelled })
              try outputs.append(probability: grid.toInput(probability), options: options)
            }
          } catch is SegmentationCancelled {
            throw RequestCancelled()
          }
          finishedTiles = done + plannedTiles
        }
        try context.token.check()
        var entry: [(String, JSONValue)] = [
          ("image", .string(path)), ("tile_size", .int(Int64(segmenter.outputTileSize))),
        ]
        if let pixelSize = grid.pixelSize { entry.append(("pixel_size", .double(pixelSize.micrometres))) }
        if grid.isResampled {
          entry += [
            ("network_size", .array([.int(Int64(grid.networkWidth)), .int(Int64(grid.networkHeight))])),
            ("min_object_area", .int(Int64(options.minimumArea))),
          ]
        }
        entry += try outputs.finish()
        results.append(.object(JSONObject(entry)))
      } catch {
        outputs.discard()
        throw error
      }
    }
    let largestTile = segmenters.map(\.outputTileSize).max() ?? 0
    return .object([
      "outputs": .array(results), "tile_size": .int(Int64(largestTile)), "tta": .bool(request.tta),
      "growth_threshold": .double(Double(instanceOptions.growthThreshold.description) ?? 0),
      "min_object_area": .int(Int64(instanceOptions.minimumArea)),
    ])
  }

  /// The requested outputs of one input, written page by page into temporary files that become
  /// the outputs only when every page is done (`finish`), and vanish otherwise (`discard`).
  final class StackOutputs {
    private let paths: [String: String]
    /// K, the model's classes.
    private let classes: Int
    private let parallel: Parallel
    private let probabilities: TIFFStreamWriter?
    private let masks: TIFFStreamWriter?
    private let classMaps: TIFFStreamWriter?
    private let instances: TIFFLabelStackWriter?
    /// ROIs and the object table, when asked for.
    private let objectOutputs: ObjectOutputs?
    /// The next page's index.
    private var page = 0
    private var objects = 0
    /// With K > 2: the objects of each foreground class over all pages.
    private var objectsPerClass: [Int]

    /// `parallel`: the worker's threads (the probability file is written beside the rest).
    init(
      paths: [String: String], kinds: Set<String>, pageCount: Int, classes: Int, calibration: TIFFCalibration?,
      parallel: Parallel
    ) throws {
      func path(_ kind: String) -> String? { kinds.contains(kind) ? paths[kind] : nil }
      self.paths = paths
      self.parallel = parallel
      self.classes = classes
      objectsPerClass = [Int](repeating: 0, count: classes - 1)
      // Two classes: the foreground probability; more: every class's, an ImageJ hyperstack.
      probabilities = try path("probabilities").map {
        try TIFFStreamWriter(path: $0, imageCount: pageCount, channels: classes > 2 ? classes : 1, calibration: calibration)
      }
      masks = try path("mask").map {
        try TIFFStreamWriter(path: $0, imageCount: pageCount, channels: 1, calibration: calibration)
      }
      classMaps = try path("classes").map {
        try TIFFStreamWriter(path: $0, imageCount: pageCount, channels: 1, calibration: calibration)
      }
      instances = try path("instances").map {
        try TIFFLabelStackWriter(path: $0, imageCount: pageCount, calibration: calibration)
      }
      let (rois, table) = (path("rois"), path("table"))
      objectOutputs =
        rois == nil && table == nil
        ? nil : ObjectOutputs(roisPath: rois, tablePath: table, pageCount: pageCount, calibration: calibration)
    }

    deinit { discard() }

    /// Writes the outputs of the next page of a two-class model from its foreground
    /// probability (its class map is the mask: 1 where p > threshold).
    func append(probability: Tensor, options: InstanceOptions) throws {
      defer { page += 1 }
      try whileWritingProbabilities(probability) {
        try appendDerived(probability: probability, options: options)
      }
    }

    /// The mask, class map and objects of a two-class page.
    private func appendDerived(probability: Tensor, options: InstanceOptions) throws {
      guard masks != nil || instances != nil || classMaps != nil || objectOutputs != nil else { return }
      let mask = options.mask(probability)
      try write(mask: mask, classMap: mask.map { $0 != 0 ? 1 : 0 }, width: probability.width, height: probability.height)
      if instances != nil || objectOutputs != nil {
        let labelled = options.labels(mask: mask, probability: probability)
        try instances?.append(width: labelled.labels.width, height: labelled.labels.height, labels: labelled.labels.values)
        try objectOutputs?.append(labels: labelled.labels, objectClasses: { _ in 1 }, probability: probability, page: page)
        objects += labelled.count
      }
    }

    /// Writes the outputs of the next page of a model of K > 2 classes from its K×H×W class
    /// probabilities: the most probable class per pixel, the mask of every foreground class
    /// and the objects of each class.
    func append(classProbabilities: Tensor, options: InstanceOptions) throws {
      defer { page += 1 }
      try whileWritingProbabilities(classProbabilities) {
        try appendDerived(classProbabilities: classProbabilities, options: options)
      }
    }

    /// The class map, masks and objects of a K-class page.
    private func appendDerived(classProbabilities: Tensor, options: InstanceOptions) throws {
      let classMap = mostProbableClasses(classProbabilities)
      let (width, height) = (classProbabilities.width, classProbabilities.height)
      try write(mask: classMap.map { $0 != 0 ? 255 : 0 }, classMap: classMap, width: width, height: height)
      let foreground = foregroundProbability(classProbabilities)
      let labelled = options.labels(classMap: classMap, foreground: foreground, classes: classes)
      try instances?.append(width: width, height: height, labels: labelled.labels.values)
      try objectOutputs?.append(
        labels: labelled.labels, objectClasses: { Int(labelled.objectClasses[Int($0)]) }, probability: foreground,
        page: page)
      objects += labelled.count
      for k in objectsPerClass.indices { objectsPerClass[k] += labelled.objectsPerClass[k] }
    }

    /// Appends `probabilities` to the probability file while `derived` computes and writes
    /// the other outputs, on two threads when the worker has them: the float32 file is the
    /// slowest to compress (4096x4096: about 1 s, as long as the instances), and the two
    /// touch different files. The first error (the probability file's first) is thrown
    /// after both are done.
    private func whileWritingProbabilities(_ probabilities: Tensor, _ derived: () throws -> Void) throws {
      guard let writer = self.probabilities else { return try derived() }
      var failures: [(any Error)?] = [nil, nil]
      failures.withUnsafeMutableBufferPointer { slots in
        parallel.forEach(chunks: 2) { part in
          do {
            if part == 0 {
              try writer.append(OutputFiles.floatImage(probabilities))
            } else {
              try derived()
            }
          } catch {
            slots[part] = error
          }
        }
      }
      if let failure = failures.compactMap({ $0 }).first { throw failure }
    }

    private func write(mask: [UInt8], classMap: [UInt8], width: Int, height: Int) throws {
      try masks?.append(OutputFiles.maskImage(mask, width: width, height: height))
      try classMaps?.append(TIFFImage(width: width, height: height, channels: 1, samples: .uint8(classMap)))
    }

    /// Moves every output into place once all are complete (a failure while completing one
    /// leaves none); the result entries in the protocol's order.
    func finish() throws -> [(String, JSONValue)] {
      try probabilities?.complete()
      try masks?.complete()
      try classMaps?.complete()
      try instances?.complete()
      // The small files first: a failure here leaves none of the TIFF outputs.
      let objectEntries = try objectOutputs?.finish() ?? []
      var entry: [(String, JSONValue)] = []
      if let probabilities, let path = paths["probabilities"] {
        try probabilities.finish()
        entry.append(("probabilities", .string(path)))
      }
      if let masks, let path = paths["mask"] {
        try masks.finish()
        entry.append(("mask", .string(path)))
      }
      if let instances, let path = paths["instances"] {
        try instances.finish()
        entry.append(("instances", .string(path)))
        entry.append(("objects", .int(Int64(objects))))
      }
      if let classMaps, let path = paths["classes"] {
        try classMaps.finish()
        entry.append(("classes", .string(path)))
      }
      if classes > 2 { entry.append(("objects_per_class", .array(objectsPerClass.map { .int(Int64($0)) }))) }
      return entry + objectEntries
    }

    /// Removes the temporary files of outputs not yet finished.
    func discard() {
      probabilities?.discard()
      masks?.discard()
      classMaps?.discard()
      instances?.discard()
    }
  }

  /// An image segmented in memory is decoded whole: one image of more than
  /// `TIFFReadLimits.standard` is refused before any work, naming what would let it stream.
  static func checkDecodableWhole(_ path: String, info: TIFFStackInfo, obstacle: String?) throws(RPCError) {
    let limit = TIFFReadLimits.standard.maxDecodedBytes
    let imageBytes = info.decodedByteCount / max(info.imageCount, 1)
    guard imageBytes > limit else { return }
    let why = obstacle.map { "it cannot be streamed (\($0))" } ?? "\"stream\": false was given"
    throw RPCError.fileUnreadable(
      path: path,
      "\(path): one image (\(info.width)×\(info.height)×\(info.channels) \(info.sampleType.rawValue)) needs more than the limit of \(limit) bytes to segment in memory, and \(why)")
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

  /// The requested tile size rounded to a legal size for this input, or the least work
  /// among the tiles that fit `memory_mb`.
  static func chooseTileSize(_ request: Request, predictor: UNetTilePredictor, width: Int, height: Int) -> Int {
    if let requested = request.tileSize {
      return legalOutputTileSize(requested: requested, predictor: predictor, imageWidth: width, imageHeight: height)
    }
    return defaultOutputTileSize(
      predictor: predictor, memoryBudgetBytes: Int(request.memoryMB * 1_048_576), imageWidth: width, imageHeight: height)
  }
}
