import NeuralCore

/// Thrown when `isCancelled` reports true between two tiles; no partial result is returned.
public struct SegmentationCancelled: Error, Equatable, Sendable {
  /// Tiles finished before the cancellation was noticed.
  public var tilesDone: Int
  public var tilesTotal: Int

  public init(tilesDone: Int, tilesTotal: Int) {
    self.tilesDone = tilesDone
    self.tilesTotal = tilesTotal
  }
}

/// Segments an image of any size with the overlap-tile strategy (the paper's Fig. 2): the
/// network predicts one output tile at a time from an input window that carries `margin`
/// pixels of context on every side, mirror-extrapolated past the image border.
///
/// Because the network is unpadded and tiles sit on its alignment grid (`OverlapTilePlan`),
/// the stitched map equals what one tile covering the whole image would give, up to float
/// rounding: it does not depend on the tile size.
///
/// Memory is bounded by the tile, not the image: per tile the segmenter holds the C×in×in
/// input window, the K×T×T prediction and, with test-time augmentation, one transformed copy
/// of each plus a K×T×T sum (see `workingBytes`); the padded image is never built, and the
/// result is written straight into the 1×H×W output.
public struct OverlapTileSegmenter<Predictor: TilePredictor> {
  public let predictor: Predictor
  /// T: the output tile edge (legal for `predictor`).
  public let outputTileSize: Int
  /// Average the softmax over the 8 rotations and flips of each input tile (see `predictTile`).
  public let testTimeAugmentation: Bool

  public init(predictor: Predictor, outputTileSize: Int, testTimeAugmentation: Bool = false) {
    precondition(predictor.classes >= 2, "OverlapTileSegmenter: \(predictor.classes) classes; need background and foreground")
    precondition(
      predictor.inputSize(forOutputSize: outputTileSize) != nil,
      "OverlapTileSegmenter: output tile size \(outputTileSize) is not legal for this network")
    self.predictor = predictor
    self.outputTileSize = outputTileSize
    self.testTimeAugmentation = testTimeAugmentation
  }

  /// The tiles that `segment` runs for an image of this size.
  public func plan(imageWidth: Int, imageHeight: Int) -> OverlapTilePlan {
    OverlapTilePlan(imageWidth: imageWidth, imageHeight: imageHeight, outputTileSize: outputTileSize, predictor: predictor)
  }

  /// The foreground probability of every pixel of `image`.
  ///
  /// Foreground is every class but background: P(fg) = Σ_{k≥1} p_k = 1 − p_0 (for the usual two
  /// classes, the probability of class 1).
  /// - Parameters:
  ///   - image: the normalised C×H×W image; C must equal `predictor.inputChannels` (the worker
  ///     checks it and throws a clear error before calling).
  ///   - progress: called with (0, total) before the first tile and (done, total) after each.
  ///   - isCancelled: polled before each tile (and before each augmented prediction).
  /// - Returns: the 1×H×W foreground probability.
  /// - Throws: `SegmentationCancelled` when `isCancelled` returns true.
  public func segment(
    _ image: Tensor,
    progress: (_ done: Int, _ total: Int) -> Void = { _, _ in },
    isCancelled: () -> Bool = { false }
  ) throws(SegmentationCancelled) -> Tensor {
    // A plain array, not a Tensor: `Tensor.storage` has a property observer, so mutating it
    // from outside NeuralCore copies the whole image on every write.
    var foreground = [Float](repeating: 0, count: image.height * image.width)
    try forEachTile(of: image, progress: progress, isCancelled: isCancelled) { probabilities, tile in
      writeForeground(of: probabilities, tile: tile, imageWidth: image.width, into: &foreground)
    }
    return Tensor(shape: Shape(channels: 1, height: image.height, width: image.width), storage: foreground)
  }

  /// The softmax probabilities of every class for every pixel of `image` (K×H×W, class 0
  /// first); stitched like `segment`, which keeps only their foreground sum. Holds the K
  /// image-sized planes, so it is meant for networks of more than two classes.
  /// - Throws: `SegmentationCancelled` when `isCancelled` returns true.
  public func classProbabilities(
    _ image: Tensor,
    progress: (_ done: Int, _ total: Int) -> Void = { _, _ in },
    isCancelled: () -> Bool = { false }
  ) throws(SegmentationCancelled) -> Tensor {
    let plane = image.height * image.width
    var result = [Float](repeating: 0, count: predictor.classes * plane)  // an array: see `segment`
    try forEachTile(of: image, progress: progress, isCancelled: isCancelled) { probabilities, tile in
      let t = outputTileSize
      probabilities.storage.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { destination in
          for k in 0..<probabilities.channels {
            for y in tile.writeRows {
              let sourceRow = k * t * t + (y - tile.outputY) * t - tile.outputX
              let destinationRow = k * plane + y * image.width
              for x in tile.writeColumns { destination[destinationRow + x] = source[sourceRow + x] }
            }
          }
        }
      }
    }
    return Tensor(shape: Shape(channels: predictor.classes, height: image.height, width: image.width), storage: result)
  }

  /// Predicts every tile of the plan (the network's K×T×T softmax) and hands it to `write`
  /// with the tile's place.
  private func forEachTile(
    of image: Tensor, progress: (_ done: Int, _ total: Int) -> Void, isCancelled: () -> Bool,
    write: (Tensor, OverlapTilePlan.Tile) -> Void
  ) throws(SegmentationCancelled) {
    precondition(
      image.channels == predictor.inputChannels,
      "OverlapTileSegmenter: image has \(image.channels) channels, the network expects \(predictor.inputChannels)")
    let plan = plan(imageWidth: image.width, imageHeight: image.height)
    let total = plan.tiles.count
    progress(0, total)
    for (index, tile) in plan.tiles.enumerated() {
      let input = image.mirroredWindow(
        y0: tile.outputY - plan.margin, x0: tile.outputX - plan.margin,
        height: plan.inputTileSize, width: plan.inputTileSize)
      guard let probabilities = predictTile(input, isCancelled: isCancelled) else {
        throw SegmentationCancelled(tilesDone: index, tilesTotal: total)
      }
      write(probabilities, tile)
      progress(index + 1, total)
    }
  }

  /// The K×T×T softmax for one C×in×in input tile; with test-time augmentation the mean over
  /// the 8 elements g of D4 of g⁻¹(predict(g(tile))) (the paper averaged 7 rotated inputs).
  /// - Returns: nil if `isCancelled` reports true before a prediction.
  public func predictTile(_ input: Tensor, isCancelled: () -> Bool = { false }) -> Tensor? {
    if isCancelled() { return nil }
    if !testTimeAugmentation { return checkedPrediction(input) }
    let first = checkedPrediction(input)
    var sum = first.storage  // summed as an array: see `segment` on mutating `Tensor.storage`
    for transform in DihedralTransform.all where transform != .identity {
      if isCancelled() { return nil }
      let prediction = transform.inverse(of: checkedPrediction(transform.apply(to: input)))
      sum.withUnsafeMutableBufferPointer { total in
        prediction.storage.withUnsafeBufferPointer { term in
          for i in total.indices { total[i] += term[i] }
        }
      }
    }
    let scale = 1 / Float(DihedralTransform.all.count)
    sum.withUnsafeMutableBufferPointer { total in
      for i in total.indices { total[i] *= scale }
    }
    return Tensor(shape: first.shape, storage: sum)
  }

  /// Bytes the segmenter needs per tile on top of the predictor's own `estimatedBytes`.
  public func workingBytes(forOutputSize outputSize: Int) -> Int {
    Self.segmenterBytes(predictor: predictor, outputSize: outputSize)
  }

  /// Input window, transformed window, prediction, transformed prediction and sum (float32).
  static func segmenterBytes(predictor: Predictor, outputSize: Int) -> Int {
    let inputSize = predictor.inputSize(forOutputSize: outputSize) ?? outputSize
    let floats = 2 * predictor.inputChannels * inputSize * inputSize + 3 * predictor.classes * outputSize * outputSize
    return floats * MemoryLayout<Float>.stride
  }

  private func checkedPrediction(_ input: Tensor) -> Tensor {
    let output = predictor.predictProbabilities(input)
    precondition(
      output.channels == predictor.classes && output.height == outputTileSize && output.width == outputTileSize,
      "OverlapTileSegmenter: predictor returned \(output.shape) for input \(input.shape), expected \(predictor.classes)×\(outputTileSize)×\(outputTileSize)")
    return output
  }

  /// Writes Σ_{k≥1} p_k of the tile's write region into the image-sized result.
  private func writeForeground(
    of probabilities: Tensor, tile: OverlapTilePlan.Tile, imageWidth width: Int, into foreground: inout [Float]
  ) {
    let t = outputTileSize
    let plane = t * t
    let classes = probabilities.channels
    probabilities.storage.withUnsafeBufferPointer { source in
      foreground.withUnsafeMutableBufferPointer { destination in
        for y in tile.writeRows {
          let sourceRow = (y - tile.outputY) * t - tile.outputX
          let destinationRow = y * width
          for x in tile.writeColumns {
            destination[destinationRow + x] = foregroundSum(source, at: sourceRow + x, plane: plane, classes: classes)
          }
        }
      }
    }
  }
}
