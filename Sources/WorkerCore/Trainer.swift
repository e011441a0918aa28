import Foundation
import ImageOps
import JSONRPC
import NeuralCore
import Segmentation
import TIFFSupport

/// `train` (Protocol/README.md, "train"): loads the data, runs the loop (`TrainingRun`:
/// augmented tiles from ImageOps, SGD/Adam steps in NeuralCore, progress, validation,
/// atomic checkpoints of `model_out`, cancellation and the iteration/time budget), then
/// chooses the post-processing and writes the final model.
struct Trainer {
  let request: TrainMethod.Request
  let context: RequestContext

  /// What `train` loads before the first iteration.
  private struct Inputs {
    let initial: StoredModel?
    let normalization: IntensityNormalization
    let classes: Int
    let weightMap: WeightMapParameters
    let set: TrainingSet
    let validator: Validator?
    let smallObjectArea: Int?
    /// The model's pixel size (µm): `config.pixel_size`, the initial model's, else the training
    /// images' (`PixelSize.trainingTarget`); every image of another size is resampled to it.
    let pixelSize: Double?
  }

  /// Loads, trains (`TrainingRun`), chooses the post-processing and writes the model.
  func run() throws -> JSONValue {
    let start = ContinuousClock.now
    let inputs = try loadInputs()
    var training = try startRun(inputs, start: start)
    while try training.iterate() {}
    var final = try training.finalModel()
    final.calibration = try calibration(of: final.network, inputs)
    final.history.seconds = training.setup.earlierSeconds + training.elapsed
    try final.save(to: request.modelOut)
    return result(training, final: final)
  }

  /// The initial model, the training (and validation) set and the label rules they are read by.
  private func loadInputs() throws -> Inputs {
    let config = request.configuration
    let parallel = context.environment.parallel
    let initial = try request.initModel.map { try StoredModel.load(path: $0) }
    let normalization = initial?.normalization ?? IntensityNormalization()
    let classes = try classCount(initial: initial)
    let weightMap = config.weightMapParameters(classes: classes)
    context.progress.report(stage: "load", done: 0, total: request.images.count)
    try OutputFiles.ensureFolder(OutputFiles.parentFolder(of: request.modelOut))
    let pixelSize = try modelPixelSize(initial: initial)
    let set = try TrainingSet.load(
      images: request.images, labels: request.labels, field: "images", labelsField: "labels",
      normalization: normalization, pixelSize: pixelSize, weightMap: weightMap, token: context.token,
      loaded: { context.progress.report(stage: "load", done: $0, total: request.images.count) })

    let smallObjectArea = set.smallObjectArea(weightMap: weightMap)
    let validator = try request.validationImages.isEmpty
      ? nil
      : Validator(
        set: TrainingSet.load(
          images: request.validationImages, labels: request.validationLabels, field: "validation.images",
          labelsField: "validation.labels", normalization: normalization, pixelSize: pixelSize,
          weightMap: weightMap, token: context.token),
        parameters: weightMap,
        instanceOptions: InstanceOptions(minimumArea: StoredModel.minimumObjectArea(smallObjectArea: smallObjectArea)),
        parallel: parallel)
    if let validator, validator.channels != set.channels {
      throw RPCError.dataMismatch(
        "the validation images have \(validator.channels) channel(s) but the training images \(set.channels)")
    }
    return Inputs(
      initial: initial, normalization: normalization, classes: classes, weightMap: weightMap, set: set,
      validator: validator, smallObjectArea: smallObjectArea, pixelSize: pixelSize)
  }

  /// The loop's starting state: network, tile, samplers, optimiser and generator (in this
  /// order from the seed), the history to continue.
  private func startRun(_ inputs: Inputs, start: ContinuousClock.Instant) throws -> TrainingRun {
    let config = request.configuration
    let parallel = context.environment.parallel
    let set = inputs.set
    var rng = RandomSource(seed: config.seed)
    let network = try startNetwork(initial: inputs.initial, channels: set.channels, classes: inputs.classes, rng: &rng)
    let tile = try trainingTileSize(for: network)
    let samplers = set.examples.map {
      TrainingSampler(
        image: $0.image, labels: $0.labels, parameters: inputs.weightMap, augmentation: config.augmentation,
        foregroundFraction: config.foregroundCrops, parallel: parallel)
    }
    let imageChoice = TrainingImageChoice(
      rule: config.sampling, pixelCounts: set.examples.map { $0.image.width * $0.image.height })
    let optimizer = startOptimizer(
      resuming: inputs.initial?.trainingState, parameterCount: network.parameterCount, rng: &rng)
    var history = inputs.initial?.history ?? TrainingHistory()
    history.smallObjectArea = inputs.smallObjectArea
    let setup = TrainingRun.Setup(
      request: request, context: context, start: start, normalization: inputs.normalization,
      classNames: config.classNames ?? inputs.initial?.classNames, pixelSize: inputs.pixelSize,
      validator: inputs.validator, samplers: samplers,
      imageChoice: imageChoice, tile: tile,
      schedule: config.schedule ?? (request.maxSeconds != nil ? .cosine : .constant),
      earlierSeconds: history.seconds)
    return TrainingRun(setup: setup, network: network, optimizer: optimizer, rng: rng, history: history)
  }

  /// The post-processing `segment` will use with this network, chosen on labelled images
  /// (the validation set, else training images), with its `calibrate` progress.
  private func calibration(of network: UNet, _ inputs: Inputs) throws -> PostProcessingCalibration? {
    try context.token.check()
    context.progress.report(stage: "calibrate", done: 0, total: 1, always: true)
    let examples =
      try inputs.validator?.calibrationExamples(network, token: context.token)
      ?? PostProcessingCalibration.trainingExamples(
        network, set: inputs.set, weightMap: inputs.weightMap, parallel: context.environment.parallel,
        token: context.token)
    let calibration = PostProcessingCalibration(
      examples: examples, smallObjectArea: inputs.smallObjectArea,
      source: inputs.validator == nil ? .training : .validation)
    context.progress.report(stage: "calibrate", done: 1, total: 1, always: true)
    return calibration
  }

  /// `train`'s result (Protocol/README.md, "train").
  private func result(_ training: TrainingRun, final: StoredModel) -> JSONValue {
    let setup = training.setup
    var result: [(String, JSONValue)] = [
      ("model", .string(request.modelOut)), ("iterations", .int(Int64(training.done))),
      ("loss", training.history.lastLoss.map { .double($0) } ?? .null), ("seconds", .double(training.elapsed)),
      ("total_iterations", .int(Int64(training.history.iterations))), ("tile_size", .int(Int64(setup.tile.output))),
      ("input_size", .int(Int64(setup.tile.input))), ("lr_schedule", .string(setup.schedule.rawValue)),
    ]
    if let pixelSize = setup.pixelSize { result.append(("pixel_size", .double(pixelSize))) }
    if let calibration = final.calibration { result.append(("post_processing", calibration.json)) }
    if let score = final.history.validation {
      result.append(contentsOf: [
        ("best_validation_loss", .double(score.loss)), ("validation_fg_iou", .double(score.foregroundIoU)),
        ("validation_f1_50", .double(score.f1At50)), ("model_iterations", .int(Int64(final.history.iterations))),
      ])
    }
    return .object(JSONObject(result))
  }

  /// The model's pixel size: `config.pixel_size`, else the initial model's, else the median of
  /// what the training images' files state (nil when none states one).
  private func modelPixelSize(initial: StoredModel?) throws -> Double? {
    if let given = request.configuration.pixelSize ?? initial?.pixelSize { return given }
    let stated = try request.images.map { PixelSize(calibration: try TIFFReader.readInfo(path: $0).calibration) }
    return PixelSize.trainingTarget(stated)
  }

  /// The network to train: `init_model`'s (its architecture wins over `config`, with a
  /// warning), or a new one He-initialised from `rng`.
  private func startNetwork(initial: StoredModel?, channels: Int, classes: Int, rng: inout RandomSource) throws -> UNet {
    let config = request.configuration
    guard let initial else {
      let configuration = UNetConfiguration(
        inputChannels: channels, classes: classes, baseChannels: config.baseChannels, depth: config.depth,
        dropout: config.dropout)
      return UNet(configuration: configuration, rng: &rng)
    }
    let kept = initial.network.configuration
    if request.setsArchitecture && (kept.baseChannels != config.baseChannels || kept.depth != config.depth) {
      context.progress.log(
        "warning",
        "config base_channels/depth ignored: training continues \(request.initModel ?? "") with its architecture (base_channels \(kept.baseChannels), depth \(kept.depth))")
    }
    guard kept.inputChannels == channels else {
      throw RPCError.dataMismatch(
        "the images have \(channels) channel(s) but \(request.initModel ?? "") expects \(kept.inputChannels)",
        ["model": .string(request.initModel ?? ""), "channels": .int(Int64(channels)),
         "model_channels": .int(Int64(kept.inputChannels))])
    }
    return initial.network
  }

  /// K: `config.classes`, or with `init_model` the model's (a different `config.classes` is
  /// -32003: the network's outputs are fixed), checked against `label_kind` and `class_names`.
  private func classCount(initial: StoredModel?) throws -> Int {
    let config = request.configuration
    guard let initial else {
      let classes = config.classes ?? 2
      try config.checkClasses(classes)
      return classes
    }
    let classes = initial.network.configuration.classes
    if let asked = config.classes, asked != classes {
      throw RPCError.dataMismatch(
        "config.classes is \(asked) but \(request.initModel ?? "") predicts \(classes) classes",
        ["model": .string(request.initModel ?? ""), "classes": .int(Int64(asked)),
         "model_classes": .int(Int64(classes))])
    }
    try config.checkClasses(classes)
    return classes
  }

  /// The training tile: `config.tile_size` rounded down to a legal size, smaller still when a
  /// step would need more than `config.memory_mb` (with a warning).
  private func trainingTileSize(for network: UNet) throws -> (output: Int, input: Int) {
    let config = request.configuration
    guard
      let sizes = TrainingMemory.largestFittingOutputSize(
        requested: config.outputTileSize, configuration: network.configuration,
        threads: context.environment.parallel.threads, optimizer: config.optimizer,
        budgetBytes: Int(config.memoryMB * 1_048_576))
    else {
      throw RPCError.invalidParams(
        field: "config.memory_mb",
        "memory_mb \(config.memoryMB) is too small to train this network even on its smallest tile; raise memory_mb or lower base_channels")
    }
    let geometry = UNetGeometry(depth: network.configuration.depth)
    if let legal = geometry.largestLegalOutputSize(atMost: config.outputTileSize), sizes.output < legal {
      context.progress.log(
        "warning", "training tile \(sizes.output) instead of \(legal): the larger one needs more than memory_mb \(config.memoryMB)")
    }
    return sizes
  }

  /// The optimiser of `config`; when resuming from a checkpoint with an optimiser of the same
  /// kind, its buffers (momentum, Adam's moments) and the generator continue where it stopped.
  private func startOptimizer(resuming state: TrainingState?, parameterCount: Int, rng: inout RandomSource) -> Optimizer {
    let config = request.configuration
    let rate = Float(config.effectiveLearningRate)
    var optimizer: Optimizer = config.optimizer == .sgd
      ? .sgd(learningRate: rate, momentum: Float(config.momentum), weightDecay: Float(config.weightDecay))
      : .adam(learningRate: rate, weightDecay: Float(config.weightDecay))
    if let state, Self.sameKind(state.optimizer.method, optimizer.method),
      state.optimizer.firstMoment.count == parameterCount
    {
      let method = optimizer.method
      optimizer = state.optimizer
      optimizer.method = method
      optimizer.weightDecay = Float(config.weightDecay)
      rng = state.rng
    }
    return optimizer
  }

  /// Whether two optimiser methods are both SGD or both Adam (their buffers then match).
  private static func sameKind(_ a: Optimizer.Method, _ b: Optimizer.Method) -> Bool {
    switch (a, b) {
    case (.sgd, .sgd), (.adam, .adam): return true
    default: return false
    }
  }
}
