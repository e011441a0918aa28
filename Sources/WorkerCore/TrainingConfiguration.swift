import ImageOps
import JSONRPC
import NeuralCore

/// `train`'s `config` object with every default filled in (Protocol/README.md, "train").
///
/// The defaults are chosen to train a useful model in minutes on a 2-core CPU; the paper's
/// architecture (`base_channels` 64, `depth` 4) stays one setting away. README.md gives the
/// measured trade-off.
struct TrainingConfiguration: Sendable {
  enum OptimizerKind: String, Sendable { case sgd, adam }

  static let defaultBaseChannels = 16
  static let defaultDepth = 3
  static let defaultOutputTileSize = 100
  static let defaultIterations = 2000

  var baseChannels = defaultBaseChannels
  var depth = defaultDepth
  /// Requested output tile edge (rounded down to a legal size when training starts).
  var outputTileSize = defaultOutputTileSize
  var optimizer = OptimizerKind.adam
  var learningRate: Double?
  /// nil (`"auto"`, the default): cosine annealing when the budget is `max_seconds`, constant
  /// otherwise (measured: README.md, "Quality on real data").
  var schedule: LearningRateSchedule?
  var momentum = 0.99
  var weightDecay = 0.0
  var weightMap = WeightMapParameters()
  var augmentation = AugmentationOptions()
  var dropout: Float = 0.5
  var seed: UInt64 = 1
  var checkpointEvery = 100
  /// Also checkpoint when this much time passed since the last one (slow, large networks).
  var checkpointSeconds = 300.0
  var validateEvery = 50
  var keepBest = true
  var memoryMB = 2048.0
  /// How the next training image is drawn (`TrainingImageChoice`).
  var sampling = TrainingImageChoice.Rule.area
  /// Share of training tiles centred on a foreground pixel (the rest lie uniformly at random).
  var foregroundCrops: Float = 0.5
  /// K, the classes the network predicts (`config.classes`); nil when not given (2 for a new
  /// model, the model's own with `init_model`).
  var classes: Int?
  /// `config.label_kind` is `"classes"`: label values are class ids.
  var classLabels = false
  /// `config.class_names`, one per class, stored in the model.
  var classNames: [String]?
  /// `config.pixel_size`: micrometres per pixel of the training images, overriding what their
  /// files state (`PixelSize`).
  var pixelSize: Double?

  /// The step size used: the option, else 0.01 for SGD with momentum 0.99 (the paper's
  /// high momentum averages over many steps) and 1e-3 for Adam.
  var effectiveLearningRate: Double {
    learningRate ?? (optimizer == .sgd ? 0.01 : 1e-3)
  }

  static let keys = [
    "base_channels", "depth", "tile_size", "optimizer", "learning_rate", "lr_schedule", "momentum",
    "weight_decay", "augment", "dropout",
    "seed", "checkpoint_every", "checkpoint_seconds", "validate_every", "keep_best", "memory_mb",
    "sampling", "foreground_crops", "classes", "label_kind", "class_names", "pixel_size",
  ] + WeightMapParameters.protocolKeys

  /// Reads `config` (absent: all defaults); unknown keys and bad values are -32602 naming
  /// the field, e.g. `config.sigma`.
  init(_ config: ParamsReader) throws(RPCError) {
    try config.rejectUnknownKeys(allowed: Self.keys)
    baseChannels = try config.optionalInt("base_channels", in: 1...256) ?? baseChannels
    depth = try config.optionalInt("depth", in: 1...6) ?? depth
    outputTileSize = try config.optionalInt("tile_size", in: 1...4096) ?? outputTileSize
    if let name = try config.optionalString("optimizer") {
      guard let kind = OptimizerKind(rawValue: name) else {
        throw RPCError.invalidParams(
          field: config.field("optimizer"), "optimizer must be \"sgd\" or \"adam\", not \"\(name)\"")
      }
      optimizer = kind
    }
    learningRate = try config.optionalDouble("learning_rate", in: 1e-9...10)
    if let name = try config.optionalString("lr_schedule"), name != "auto" {
      guard let kind = LearningRateSchedule(rawValue: name) else {
        throw RPCError.invalidParams(
          field: config.field("lr_schedule"),
          "lr_schedule must be \"auto\", \"cosine\" or \"constant\", not \"\(name)\"")
      }
      schedule = kind
    }
    momentum = try config.optionalDouble("momentum", in: 0...0.9999) ?? momentum
    weightDecay = try config.optionalDouble("weight_decay", in: 0...1) ?? weightDecay
    try weightMap.read(from: config)
    if try config.contains("augment") {
      let augment = try config.nested("augment")
      try augment.rejectUnknownKeys(allowed: ["elastic", "flips", "rotate", "intensity"])
      augmentation.elastic = try augment.optionalBool("elastic") ?? augmentation.elastic
      augmentation.flips = try augment.optionalBool("flips") ?? augmentation.flips
      augmentation.rotate = try augment.optionalBool("rotate") ?? augmentation.rotate
      augmentation.intensity = try augment.optionalBool("intensity") ?? augmentation.intensity
    }
    dropout = Float(try config.optionalDouble("dropout", in: 0...0.95) ?? Double(dropout))
    seed = UInt64(try config.optionalInt("seed", in: 0...Int(Int64.max)) ?? Int(seed))
    checkpointEvery = try config.optionalInt("checkpoint_every", in: 1...Int(Int32.max)) ?? checkpointEvery
    checkpointSeconds = try config.optionalDouble("checkpoint_seconds", in: 1...1e9) ?? checkpointSeconds
    validateEvery = try config.optionalInt("validate_every", in: 1...Int(Int32.max)) ?? validateEvery
    keepBest = try config.optionalBool("keep_best") ?? keepBest
    memoryMB = try config.optionalDouble("memory_mb", in: 16...1_000_000) ?? memoryMB
    if let name = try config.optionalString("sampling") {
      guard let rule = TrainingImageChoice.Rule(rawValue: name) else {
        throw RPCError.invalidParams(
          field: config.field("sampling"), "sampling must be \"area\" or \"image\", not \"\(name)\"")
      }
      sampling = rule
    }
    foregroundCrops = Float(try config.optionalDouble("foreground_crops", in: 0...1) ?? Double(foregroundCrops))
    pixelSize = try config.optionalDouble("pixel_size", in: PixelSize.acceptedRange)
    try readClasses(config)
  }

  /// `classes`, `label_kind` and `class_names` (Protocol/README.md, "Classes"); checked
  /// against the classes here when `classes` is given, else by `checkClasses` when training
  /// starts (a fine-tuned model brings its own).
  private mutating func readClasses(_ config: ParamsReader) throws(RPCError) {
    classes = try config.optionalInt("classes", in: 2...255)
    classLabels = try config.optionalString("label_kind", oneOf: ["instances", "classes"]) == "classes"
    classNames = try config.optionalStringArray("class_names")
    if let classes { try checkClasses(classes) }
  }

  /// -32602 when `classes` (the network's K) does not fit the label kind or the names.
  func checkClasses(_ classes: Int) throws(RPCError) {
    if classes > 2 && !classLabels {
      throw RPCError.invalidParams(
        field: "config.label_kind",
        "\(classes) classes need label_kind \"classes\" (label values that are class ids); instance labels have one class of objects")
    }
    if let names = classNames, names.count != classes {
      throw RPCError.invalidParams(
        field: "config.class_names",
        "class_names has \(names.count) names but there are \(classes) classes (background first)")
    }
  }

  /// The weight-map settings for a network of `classes` classes: `label_kind` applied.
  func weightMapParameters(classes: Int) -> WeightMapParameters {
    var parameters = weightMap
    parameters.labelKind = classLabels ? .classes(classes) : .instances
    return parameters
  }
}
