import Foundation
import ImageOps
import JSONRPC
import NeuralCore

/// A model file could not be read or used; answered as -32001 with the path.
struct ModelFileAccessError: Error {
  let path: String
  let message: String
  var rpcError: RPCError { .fileUnreadable(path: path, message) }
}

/// A trained model as the worker uses it: the network plus what segmentation must repeat
/// exactly (intensity normalisation) and the training history shown by `model_info`.
struct StoredModel: Sendable {
  var network: UNet
  var normalization: IntensityNormalization
  var history: TrainingHistory
  /// `config.class_names` of the training, one per class (background first); nil when none.
  var classNames: [String]? = nil
  var trainingState: TrainingState?
  /// The post-processing chosen at the end of training; nil for older models.
  var calibration: PostProcessingCalibration?
  /// Micrometres per pixel of the grid the network was trained on (`PixelSize`); nil when
  /// unknown (then images are never resampled for it).
  var pixelSize: Double? = nil

  /// Reads and checks a model file (version, sizes, checksum). `trainingState: false` leaves
  /// the optimiser state undecoded (nil), for requests that only run the network.
  static func load(path: String, trainingState: Bool = true) throws -> StoredModel {
    guard let bytes = readWholeFile(path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
      throw ModelFileAccessError(path: path, message: "model file \(path) \(reason)")
    }
    let file: ModelFile
    do {
      file = try ModelFile.decode(bytes, trainingState: trainingState)
    } catch {
      throw ModelFileAccessError(path: path, message: "\(path) is not a usable model file: \(error)")
    }
    let metadata = file.metadata.entries.map { ($0.key, $0.value) }
    guard let normalization = IntensityNormalization(metadata: metadata) else {
      throw ModelFileAccessError(path: path, message: "\(path) lacks its normalisation settings")
    }
    return StoredModel(
      network: file.network, normalization: normalization,
      history: TrainingHistory(metadata: metadata),
      classNames: classNames(metadata: metadata, classes: file.configuration.classes),
      trainingState: file.trainingState,
      calibration: PostProcessingCalibration(metadata: metadata),
      pixelSize: Dictionary(metadata, uniquingKeysWith: { _, last in last })[pixelSizeKey]
        .flatMap(Double.init).flatMap { PixelSize.acceptedRange.contains($0) ? $0 : nil })
  }

  /// The bytes of the regular file at `path`, read straight into one array (a paper-network
  /// model with its optimiser state is about 370 MB; going through `Data` copied it once more);
  /// nil when it cannot be opened or read.
  private static func readWholeFile(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { _ = close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
    let size = Int(status.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      initialized = 0
      guard let base = buffer.baseAddress else { return }
      while initialized < size {
        let count = read(descriptor, base + initialized, size - initialized)
        if count < 0 && errno == EINTR { continue }
        if count < 0 { failed = true }
        if count <= 0 { break }  // an error, or the file shrank: decoding reports the truncation
        initialized += count
      }
    }
    return failed ? nil : bytes
  }

  /// The `min_object_area` that `segment` uses when the request gives none: a fraction of the
  /// small objects' area in the training labels (`TrainingHistory.smallObjectArea`), so
  /// fragments smaller than anything the annotator drew do not become objects. 0 for models
  /// without that record.
  var suggestedMinimumObjectArea: Int { Self.minimumObjectArea(smallObjectArea: history.smallObjectArea) }

  /// The fragment size for training labels whose small objects have `smallObjectArea` pixels.
  static func minimumObjectArea(smallObjectArea: Int?) -> Int {
    guard let area = smallObjectArea else { return 0 }
    return Int((minimumAreaFraction * Double(area)).rounded(.down))
  }

  /// Metadata key of `pixelSize`.
  static let pixelSizeKey = "image.pixel_size_um"

  /// Metadata key prefix of the class names: `classes.name.0` (background), `classes.name.1`, ...
  static let classNameKey = "classes.name"

  /// The class names stored in `metadata`, nil unless there is one for each of `classes`.
  private static func classNames(metadata: [(String, String)], classes: Int) -> [String]? {
    let values = Dictionary(metadata, uniquingKeysWith: { _, last in last })
    let names = (0..<classes).compactMap { values["\(classNameKey).\($0)"] }
    return names.count == classes ? names : nil
  }

  /// Share of `TrainingHistory.smallObjectArea` below which a predicted object is a fragment.
  static let minimumAreaFraction = 0.5

  /// Writes the model atomically (temporary file, then rename).
  func save(to path: String) throws {
    var metadata = normalization.metadata
    metadata.append(contentsOf: history.metadata)
    if let calibration { metadata.append(contentsOf: calibration.metadata) }
    if let pixelSize { metadata.append((Self.pixelSizeKey, String(pixelSize))) }
    if let classNames {
      metadata.append(contentsOf: classNames.enumerated().map { ("\(Self.classNameKey).\($0)", $1) })
    }
    let file = ModelFile(network: network, metadata: ModelMetadata(metadata), trainingState: trainingState)
    try AtomicFile.write(file.encode(), to: path)
  }
}

/// What `model_info` reports about a model's training.
struct TrainingHistory: Sendable {
  var iterations: Int = 0
  var lastLoss: Double?
  var date: String?
  var seconds: Double = 0
  /// The stored network's score on the validation set, when training had one.
  var validation: ValidationScore?
  /// The 1st percentile of the object areas (pixels) in the training labels: how small the
  /// smallest real objects are (`TrainingSet.smallObjectArea`).
  var smallObjectArea: Int?

  init() {}

  init(metadata: [(String, String)]) {
    for (key, value) in metadata {
      switch key {
      case "training.iterations": iterations = Int(value) ?? 0
      case "training.loss": lastLoss = Double(value)
      case "training.date": date = value
      case "training.seconds": seconds = Double(value) ?? 0
      case "training.small_object_area": smallObjectArea = Int(value)
      default: break
      }
    }
    let values = Dictionary(metadata, uniquingKeysWith: { _, last in last })
    if let loss = values["training.validation_loss"].flatMap(Double.init),
      let iou = values["training.validation_fg_iou"].flatMap(Double.init),
      let f1 = values["training.validation_f1_50"].flatMap(Double.init)
    {
      validation = ValidationScore(loss: loss, foregroundIoU: iou, f1At50: f1)
    }
  }

  var metadata: [(String, String)] {
    var pairs = [("training.iterations", String(iterations)), ("training.seconds", String(seconds))]
    if let lastLoss { pairs.append(("training.loss", String(lastLoss))) }
    if let date { pairs.append(("training.date", date)) }
    if let smallObjectArea { pairs.append(("training.small_object_area", String(smallObjectArea))) }
    if let validation {
      pairs.append(contentsOf: [
        ("training.validation_loss", String(validation.loss)),
        ("training.validation_fg_iou", String(validation.foregroundIoU)),
        ("training.validation_f1_50", String(validation.f1At50)),
      ])
    }
    return pairs
  }

  var json: JSONValue {
    .object([
      "iterations": .int(Int64(iterations)),
      "loss": lastLoss.map { .double($0) } ?? .null,
      "date": date.map { .string($0) } ?? .null,
      "seconds": .double(seconds),
      "small_object_area": smallObjectArea.map { .int(Int64($0)) } ?? .null,
      "validation": validation.map {
        .object([
          "loss": .double($0.loss), "fg_iou": .double($0.foregroundIoU), "f1_50": .double($0.f1At50),
        ])
      } ?? .null,
    ])
  }
}
