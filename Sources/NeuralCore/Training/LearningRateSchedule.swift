/// How the step size evolves over a training run.
///
/// The paper trains with a constant rate and momentum 0.99. With few iterations, as on a CPU,
/// annealing the rate towards the end settles the weights: cosine annealing (Loshchilov &
/// Hutter 2017, without restarts) goes from the base rate at the start to `finalFraction` of
/// it at the end of the budget. (On the synthetic nuclei with Adam it scored lower than the
/// constant rate; the worker's default stays constant, see Protocol/README.md.)
public enum LearningRateSchedule: String, Sendable, Equatable, CaseIterable {
  case constant
  case cosine

  /// The fraction of the base rate left at the end of a cosine schedule.
  public static let finalFraction: Float = 0.01

  /// The rate after `done` of `total` iterations (`done` clamped to 0...total).
  public func rate(base: Float, done: Int, total: Int) -> Float {
    switch self {
    case .constant:
      return base
    case .cosine:
      guard total > 0 else { return base }
      let progress = Float(min(max(done, 0), total)) / Float(total)
      let cosine = 0.5 * (1 + Elementary.cos(Float.pi * progress))
      return base * (Self.finalFraction + (1 - Self.finalFraction) * cosine)
    }
  }
}
