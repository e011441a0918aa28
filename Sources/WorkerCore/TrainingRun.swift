import Foundation
import ImageOps
import JSONRPC
import NeuralCore

/// The loop of one `train` request: what changes from iteration to iteration (network,
/// optimiser, generator, history, the best model so far) and the steps `Trainer.run` takes
/// with it: an iteration with its progress, validation and checkpoint, then the final model.
struct TrainingRun {
  /// What the loop reads and never changes.
  struct Setup {
    let request: TrainMethod.Request
    let context: RequestContext
    let start: ContinuousClock.Instant
    let normalization: IntensityNormalization
    let classNames: [String]?
    /// The model's pixel size (µm), stored with every checkpoint.
    let pixelSize: Double?
    let validator: Validator?
    let samplers: [TrainingSampler]
    let imageChoice: TrainingImageChoice
    let tile: (output: Int, input: Int)
    let schedule: LearningRateSchedule
    /// Training seconds of the model before this request (`init_model`).
    let earlierSeconds: Double
  }

  let setup: Setup
  var network: UNet
  var optimizer: Optimizer
  var rng: RandomSource
  var history: TrainingHistory
  /// Iterations of this request so far.
  private(set) var done = 0
  private var recentLosses: [Float] = []
  private var lastCheckpoint = 0.0
  /// With validation and `keep_best`: the best model so far, written at the end.
  private var best: StoredModel?
  private let workspace: UNetWorkspace

  init(setup: Setup, network: UNet, optimizer: Optimizer, rng: RandomSource, history: TrainingHistory) {
    self.setup = setup
    self.network = network
    self.optimizer = optimizer
    self.rng = rng
    self.history = history
    workspace = UNetWorkspace(parallel: setup.context.environment.parallel)
  }

  private var config: TrainingConfiguration { setup.request.configuration }

  /// Seconds since the request started.
  var elapsed: Double {
    let d = ContinuousClock.now - setup.start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  /// Runs the next iteration unless the budget (iterations or `max_seconds`) is used up: the
  /// paper's weighted loss on one augmented tile (Eq. 1, Eq. 2), an optimiser step, progress,
  /// and the validation and checkpoint when due.
  /// - Returns: false when the budget was used up (nothing ran).
  /// - Throws: `RequestCancelled`, or a failure to validate or write a checkpoint.
  mutating func iterate() throws -> Bool {
    let request = setup.request
    let budget = request.iterations ?? (request.maxSeconds == nil ? TrainMethod.defaultIterations : Int.max)
    guard done < budget else { return false }
    let started = elapsed
    if let limit = request.maxSeconds, started >= limit { return false }
    try setup.context.token.check()
    optimizer.learningRate = setup.schedule.rate(
      base: Float(config.effectiveLearningRate), done: done, total: estimatedTotal(elapsed: started))
    let sampler = setup.samplers[setup.imageChoice.next(random: &rng)]
    let sample = sampler.sample(inputSize: setup.tile.input, outputSize: setup.tile.output, random: &rng)
    let loss = network.trainingStep(
      input: sample.input, targets: sample.classes, weights: sample.weights, optimizer: &optimizer,
      rng: &rng, workspace: workspace)
    done += 1
    history.iterations += 1
    recentLosses.append(loss)
    if recentLosses.count > 20 { recentLosses.removeFirst() }
    let meanLoss = Double(recentLosses.reduce(0, +)) / Double(recentLosses.count)
    history.lastLoss = meanLoss
    let now = elapsed
    let total = estimatedTotal(elapsed: now)
    let eta = Double(total - done) * now / Double(done)
    setup.context.progress.report(
      stage: "train", done: done, total: total,
      extra: [("loss", .double(meanLoss)), ("eta_s", .double(eta)), ("elapsed_s", .double(now))])
    if done % config.validateEvery == 0 { try validate(total: total) }
    if done % config.checkpointEvery == 0 || now - lastCheckpoint >= config.checkpointSeconds {
      try currentModel().save(to: request.modelOut)
      lastCheckpoint = now
    }
    return true
  }

  /// The model to keep once the iterations are done: validated once more unless the last
  /// iteration was, then the best one (`keep_best`) or the current one.
  mutating func finalModel() throws -> StoredModel {
    if setup.validator != nil && done % config.validateEvery != 0 { try validate(total: done) }
    return best ?? currentModel()
  }

  /// The current state as a model file's content (checkpoints carry the training state).
  private mutating func currentModel() -> StoredModel {
    history.date = Date().formatted(.iso8601)
    history.seconds = setup.earlierSeconds + elapsed
    return StoredModel(
      network: network, normalization: setup.normalization, history: history, classNames: setup.classNames,
      trainingState: TrainingState(iteration: history.iterations, rng: rng, optimizer: optimizer),
      pixelSize: setup.pixelSize)
  }

  /// Scores the network on the validation set, reports it and remembers the best model.
  private mutating func validate(total: Int) throws {
    guard let validator = setup.validator else { return }
    let score = try validator.score(network, token: setup.context.token)
    history.validation = score
    let improved = best?.history.validation.map { score.loss < $0.loss } ?? true
    if config.keepBest && improved { best = currentModel() }
    setup.context.progress.report(
      stage: "validate", done: done, total: total,
      extra: [
        ("loss", history.lastLoss.map { .double($0) } ?? .null),
        ("validation_loss", .double(score.loss)), ("validation_fg_iou", .double(score.foregroundIoU)),
        ("validation_f1_50", .double(score.f1At50)), ("best", .bool(improved)),
      ], always: true)
  }

  /// The iteration count progress reports as `total`: the budget, or with only
  /// `max_seconds` an estimate from the rate so far.
  private func estimatedTotal(elapsed: Double) -> Int {
    let request = setup.request
    if let iterations = request.iterations {
      guard let limit = request.maxSeconds, elapsed > 0 else { return iterations }
      return min(iterations, max(done, Int(Double(done) * limit / elapsed)))
    }
    if let limit = request.maxSeconds, elapsed > 0 { return max(done, Int(Double(done) * limit / elapsed)) }
    return TrainMethod.defaultIterations
  }
}
