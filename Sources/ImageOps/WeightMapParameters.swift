import NeuralCore

/// Settings of the paper's loss weight map (Eq. 2) and of the label rules it applies.
///
/// The protocol's `w0`, `sigma`, `class_balance` and `ignore_value` (in `train`'s `config`
/// and in `weight_map`) map one to one onto these fields.
public struct WeightMapParameters: Sendable, Equatable {
  /// Height of the separation term w0 in Eq. 2 (paper: 10). 0 turns the term off.
  public var w0: Float
  /// Width σ of the separation term in pixels (paper: about 5 px).
  public var sigma: Float
  /// Whether w_c balances the class frequencies (see `makeTrainingTarget`); otherwise w_c = 1.
  public var classBalance: Bool
  /// Label value that marks pixels without a loss (weight 0); nil when every pixel counts.
  public var ignoreValue: Int32?
  /// How label values name objects and classes (the protocol's `label_kind` and `classes`).
  public var labelKind: LabelKind

  public init(
    w0: Float = 10, sigma: Float = 5, classBalance: Bool = true, ignoreValue: Int32? = nil,
    labelKind: LabelKind = .instances
  ) {
    self.w0 = w0
    self.sigma = sigma
    self.classBalance = classBalance
    self.ignoreValue = ignoreValue
    self.labelKind = labelKind
  }

  /// Distance beyond which the separation term is dropped: there
  /// w0 · exp(-(d1 + d2)² / (2σ²)) < 1e-6 · w0, i.e. d1 + d2 > σ · sqrt(2 ln 10⁶) ≈ 5.26 σ.
  /// Bounding the term bounds the work per object (only a window this far around it counts).
  public var cutoffDistance: Float {
    sigma * (2 * Elementary.log(Float(1e6))).squareRoot()
  }
}
