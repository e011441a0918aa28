import ImageOps
import JSONRPC
import NeuralCore

/// Training (or validation) images with their label images, loaded, checked against each
/// other and normalised: every page of a stack is one example.
struct TrainingSet: Sendable {
  struct Example: Sendable {
    let image: Tensor
    let labels: LabelImage
    /// "path (page n)" for messages.
    let name: String
  }

  var examples: [Example]
  var channels: Int { examples.first?.image.channels ?? 0 }

  /// Loads `images[i]` with `labels[i]`; `field` names the params for messages
  /// (`images`, `validation.images`).
  static func load(
    images: [String], labels: [String], field: String, labelsField: String,
    normalization: IntensityNormalization, pixelSize: Double?, weightMap: WeightMapParameters, token: CancellationToken,
    loaded: (Int) -> Void = { _ in }
  ) throws -> TrainingSet {
    guard images.count == labels.count else {
      throw RPCError.invalidParams(
        field: labelsField, "\(images.count) images but \(labels.count) label images; they pair up in order")
    }
    var examples: [Example] = []
    var loadedFiles = 0
    for (imagePath, labelsPath) in zip(images, labels) {
      try token.check()
      let (pages, stack) = try ImageLoading.images(at: imagePath)
      // On the model's grid: an image of another pixel size (and its labels) resampled to it.
      let stated = PixelSize(calibration: stack.calibration)
      let target = pixelSize.flatMap { model in stated.flatMap { $0.differs(from: model) ? ($0, model) : nil } }
      let labelPages = try ImageLoading.labels(
        at: labelsPath, ignoreValue: weightMap.ignoreValue, kind: weightMap.labelKind
      ).pages
      guard pages.count == labelPages.count else {
        throw RPCError.dataMismatch(
          "\(imagePath) has \(pages.count) images but \(labelsPath) has \(labelPages.count)",
          ["image": .string(imagePath), "labels": .string(labelsPath)])
      }
      for (page, labels) in zip(pages, labelPages) {
        let size = (page.pixels.width, page.pixels.height)
        guard size == (labels.width, labels.height) else {
          throw RPCError.dataMismatch(
            "\(imagePath) is \(size.0)x\(size.1) but its labels \(labelsPath) are \(labels.width)x\(labels.height)",
            ["image": .string(imagePath), "labels": .string(labelsPath)])
        }
        if let first = examples.first, first.image.channels != page.pixels.channels {
          throw RPCError.dataMismatch(
            "\(imagePath) has \(page.pixels.channels) channel(s) but \(first.name) has \(first.image.channels)",
            ["image": .string(imagePath)])
        }
        let name = pages.count > 1 ? "\(imagePath) (image \(page.index + 1))" : imagePath
        // One NaN or infinity makes every weight NaN after the first step: refuse the image
        // rather than write a broken model over `model_out`.
        if page.pixels.storage.contains(where: { !$0.isFinite }) {
          throw RPCError.fileUnreadable(
            path: imagePath, "\(name) contains NaN or infinite pixel values, which training cannot use")
        }
        var (image, labelImage) = (page.pixels, labels)
        if let (stated, model) = target {
          let size = stated.resampledSize(width: image.width, height: image.height, model: model)
          image = resampled(image, height: size.height, width: size.width)
          labelImage = resampledNearest(labels, height: size.height, width: size.width)
        }
        examples.append(Example(image: normalization.normalized(image), labels: labelImage, name: name))
      }
      loadedFiles += 1
      loaded(loadedFiles)
    }
    if examples.isEmpty {
      throw RPCError.invalidParams(field: field, "\(field) must name at least one image")
    }
    return TrainingSet(examples: examples)
  }

  /// The 1st percentile of the areas of all objects in the labels (nearest rank), nil when
  /// they hold none: the size of the smallest real objects, robust to a few slivers.
  func smallObjectArea(weightMap: WeightMapParameters) -> Int? {
    let areas = examples.flatMap {
      $0.labels.objects(kind: weightMap.labelKind, ignoreValue: weightMap.ignoreValue).labels.objectAreas.dropFirst()
    }
      .filter { $0 > 0 }.sorted()
    guard !areas.isEmpty else { return nil }
    return areas[(areas.count - 1) / 100]
  }
}
