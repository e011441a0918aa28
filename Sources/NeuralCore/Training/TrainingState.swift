/// Everything beyond the parameters that training needs to continue exactly where it
/// stopped: the optimiser with its buffers and step count, the iterations done, and the state
/// of the generator that draws tiles, augmentation and dropout. Saved in model files
/// (`ModelFile.trainingState`).
public struct TrainingState: Equatable, Sendable {
  public var iteration: Int
  public var rng: RandomSource
  public var optimizer: Optimizer

  public init(iteration: Int, rng: RandomSource, optimizer: Optimizer) {
    self.iteration = iteration
    self.rng = rng
    self.optimizer = optimizer
  }
}
