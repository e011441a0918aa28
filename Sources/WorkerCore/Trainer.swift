import Foundation
import ImageOps
import JSONRPC
import NeuralCore
import Segmentation

/// The `train` loop: samples augmented tiles (ImageOps), takes SGD/Adam steps (NeuralCore),
/// reports progress, checkpoints `model_out` atomically and honours cancellation and the
/// iteration/time budget (Protocol/README.md, "train").
struct Trainer {
  let request: TrainMethod.Request
  let context: RequestContext

  func run() throws -> JSONValue {
    let config = request.configuration
    let parallel = context.environment.parallel
    let start = ContinuousClock.now
    let initial = try request.initModel.map { try StoredModel.load(path: $0) }
    let normalization = initial?.normalization ?? IntensityNormalization()
    let classes = try classCount(initial: initial)
    let weightMap = config.weightMapParameters(classes: classes)
    context.progress.report(stage: "load", done: 0, total: request.images.count)
    try OutputFiles.ensureFolder(OutputFiles.parentFolder(of: request.modelOut))
    let set = try TrainingSet.load(
      images: request.images, labels: request.labels, field: "images", labelsField: "labels",
      normalization: normalization, weightMap: weightMap, token: context.token,
      loaded: { context.progress.report(stage: "load", done: $0, total: request.images.count) })

    let smallObjectArea = set.smallObjectArea(weightMap: weightMap)
    let validator = try request.validationImages.isEmpty
      ? nil
      : Validator(
        set: TrainingSet.load(
          images: request.validationImages, labels: request.validationLabels, field: "validation.images",
          labelsField: "validation.labels", normalization: normalization,
          weightMap: weightMap, token: context.token),
        parameters: weightMap,
        instanceOptions: InstanceOptions(minimumArea: StoredModel.minimumObjectArea(smallObjectArea: smallObjectArea)),
        parallel: parallel)
    if let validator, validator.channels != set.channels {
      throw RPCError.dataMismatch(
        "the validation images have \(validator.channels) channel(s) but the training images \(set.channels)")
    }

    var rng = RandomSource(seed: config.seed)
    var network = try startNetwork(initial: initial, channels: set.channels, classes: classes, rng: &rng)
    let (outputSize, inputSize) = try trainingTileSize(for: network)
    let samplers = set.examples.map {
      TrainingSampler(
        image: $0.image, labels: $0.labels, parameters: weightMap, augmentation: config.augmentation,
        foregroundFraction: config.foregroundCrops, parallel: parallel)
    }
    let imageChoice = TrainingImageChoice(
      rule: config.sampling, pixelCounts: set.examples.map { $0.image.width * $0.image.height })
    let rate = Float(config.effectiveLearningRate)
    let schedule = config.schedule ?? (request.maxSeconds != nil ? .cosine : .constant)
    var optimizer = startOptimizer(resuming: initial?.trainingState, parameterCount: network.parameterCount, rng: &rng)
    let classNames = config.classNames ?? initial?.classNames
    var history = initial?.history ?? TrainingHistory()
    history.smallObjectArea = smallObjectArea
    let earlierSeconds = history.seconds
    let workspace = UNetWorkspace(parallel: parallel)
    let iterationBudget = request.iterations ?? (request.maxSeconds == nil ? TrainMethod.defaultIterations : Int.max)
    var recentLosses: [Float] = []
    var done = 0
    var lastCheckpoint = 0.0
    /// With validation and `keep_best`: the best model so far, written at the end.
    var best: StoredModel?

    func currentModel() -> StoredModel {
      history.date = Date().formatted(.iso8601)
      history.seconds = earlierSeconds + seconds(since: start)
      return StoredModel(
        network: network, normalization: normalization, history: history, classNames: classNames,
        trainingState: TrainingState(iteration: history.iterations, rng: rng, optimizer: optimizer))
    }

    /// Scores the network on the validation set, reports it and remembers the best model.
    func validate(total: Int) throws {
      guard let validator else { return }
      let score = try validator.score(network, token: context.token)
      history.validation = score
      let improved = best?.history.validation.map { score.loss < $0.loss } ?? true
      if config.keepBest && improved { best = currentModel() }
      context.progress.report(
        stage: "validate", done: done, total: total,
        extra: [
          ("loss", history.lastLoss.map { .double($0) } ?? .null),
          ("validation_loss", .double(score.loss)), ("validation_fg_iou", .double(score.foregroundIoU)),
          ("validation_f1_50", .double(score.f1At50)), ("best", .bool(improved)),
        ], always: true)
    }

    while done < iterationBudget {
      let elapsed = seconds(since: start)
      if let limit = request.maxSeconds, elapsed >= limit { break }
      try context.token.check()
      optimizer.learningRate = schedule.rate(
        base: rate, done: done, total: estimatedTotal(done: done, elapsed: elapsed))
      let sampler = samplers[imageChoice.next(random: &rng)]
      let sample = sampler.sample(inputSize: inputSize, outputSize: outputSize, random: &rng)
      let loss = network.trainingStep(
        input: sample.input, targets: sample.classes, weights: sample.weights, optimizer: &optimizer,
        rng: &rng, workspace: workspace)
      done += 1
      history.iterations += 1
      recentLosses.append(loss)
      if recentLosses.count > 20 { recentLosses.removeFirst() }
      let meanLoss = Double(recentLosses.reduce(0, +)) / Double(recentLosses.count)
      history.lastLoss = meanLoss
      let now = seconds(since: start)
      let total = estimatedTotal(done: done, elapsed: now)
      let eta = Double(total - done) * now / Double(done)
      context.progress.report(
        stage: "train", done: done, total: total,
        extra: [("loss", .double(meanLoss)), ("eta_s", .double(eta)), ("elapsed_s", .double(now))])
      if done % config.validateEvery == 0 { try validate(total: total) }
      if done % config.checkpointEvery == 0 || now - lastCheckpoint >= config.checkpointSeconds {
        try currentModel().save(to: request.modelOut)
        lastCheckpoint = now
      }
    }
    if validator != nil && done % config.validateEvery != 0 { try validate(total: done) }
    var final = best ?? currentModel()
    // The post-processing `segment` will use with this model, chosen on labelled images.
    try context.token.check()
    context.progress.report(stage: "calibrate", done: 0, total: 1, always: true)
    let calibrationExamples =
      try validator?.calibrationExamples(final.network, token: context.token)
      ?? PostProcessingCalibration.trainingExamples(
        final.network, set: set, weightMap: weightMap, parallel: parallel, token: context.token)
    final.calibration = PostProcessingCalibration(
      examples: calibrationExamples, smallObjectArea: smallObjectArea,
      source: validator == nil ? .training : .validation)
    context.progress.report(stage: "calibrate", done: 1, total: 1, always: true)
    final.history.seconds = earlierSeconds + seconds(since: start)
    try final.save(to: request.modelOut)
    var result: [(String, JSONValue)] = [
      ("model", .string(request.modelOut)), ("iterations", .int(Int64(done))),
      ("loss", history.lastLoss.map { .double($0) } ?? .null), ("seconds", .double(seconds(since: start))),
      ("total_iterations", .int(Int64(history.iterations))), ("tile_size", .int(Int64(outputSize))),
      ("input_size", .int(Int64(inputSize))), ("lr_schedule", .string(schedule.rawValue)),
    ]
    if let calibration = final.calibration { result.append(("post_processing", calibration.json)) }
    if let score = final.history.validation {
      result.append(contentsOf: [
        ("best_validation_loss", .double(score.loss)), ("validation_fg_iou", .double(score.foregroundIoU)),
        ("validation_f1_50", .double(score.f1At50)), ("model_iterations", .int(Int64(final.history.iterations))),
      ])
    }
    return .object(JSONObject(result))
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
        parameterCount: network.parameterCount, budgetBytes: Int(config.memoryMB * 1_048_576))
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

  /// The iteration count progress reports as `total`: the budget, or with only
  /// `max_seconds` an estimate from the rate so far.
  private func estimatedTotal(done: Int, elapsed: Double) -> Int {
    if let iterations = request.iterations {
      guard let limit = request.maxSeconds, elapsed > 0 else { return iterations }
      return min(iterations, max(done, Int(Double(done) * limit / elapsed)))
    }
    if let limit = request.maxSeconds, elapsed > 0 { return max(done, Int(Double(done) * limit / elapsed)) }
    return TrainMethod.defaultIterations
  }

  /// Whether two optimiser methods are both SGD or both Adam (their buffers then match).
  private static func sameKind(_ a: Optimizer.Method, _ b: Optimizer.Method) -> Bool {
    switch (a, b) {
    case (.sgd, .sgd), (.adam, .adam): return true
    default: return false
    }
  }

  private func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
