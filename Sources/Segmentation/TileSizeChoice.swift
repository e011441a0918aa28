/// Defaults of segmentation that the worker exposes as options.
public enum SegmentationDefaults {
  /// The default `memory_mb` budget for one tile: 1024 MiB (like the original tool's "memory"
  /// setting). Together with the input, the float32 probability, the mask and the labels of a
  /// 4096×4096 image (≈ 210 MB) a fresh worker stays below 1.5 GiB resident, and the budget
  /// still allows tiles large enough that the overlap costs little.
  public static let memoryBudgetBytes = 1024 << 20
}

/// The output tile edge the segmenter uses when the client gives none: the legal size whose
/// tiles cost the least total work among those whose working memory fits `memoryBudgetBytes`.
///
/// Work is estimated as (number of tiles) × in², the input pixels the network processes; for
/// a large image this picks the largest tile within the budget (the context overhead
/// (T + 2m)² / T² falls with T), and it never picks a tile larger than needed to cover the
/// image in one piece. Memory per tile is the predictor's `estimatedBytes` (for the U-Net
/// what its workspace allocates for the tile, `UNetMemoryModel`, and the logits) plus the
/// segmenter's own buffers (`OverlapTileSegmenter.workingBytes`). If even the smallest
/// legal size exceeds the budget, the smallest is used (the caller reports the size used).
/// Sizes below the predictor's alignment are only used when one tile covers the image.
public func defaultOutputTileSize<Predictor: TilePredictor>(
  predictor: Predictor,
  memoryBudgetBytes: Int = SegmentationDefaults.memoryBudgetBytes,
  imageWidth: Int, imageHeight: Int
) -> Int {
  precondition(imageWidth > 0 && imageHeight > 0, "defaultOutputTileSize: empty image \(imageWidth)×\(imageHeight)")
  let alignment = predictor.outputAlignment
  let wholeImage = predictor.smallestLegalOutputSize(atLeast: max(imageWidth, imageHeight))
  guard let smallest = predictor.smallestLegalOutputSize(atLeast: 1) else {
    preconditionFailure("defaultOutputTileSize: the network has no legal output size")
  }
  var best: (size: Int, cost: Int)? = nil
  var candidate: Int? = smallest
  while let size = candidate {
    if let limit = wholeImage, size > limit { break }
    let bytes =
      predictor.estimatedBytes(forOutputSize: size)
      + OverlapTileSegmenter<Predictor>.segmenterBytes(predictor: predictor, outputSize: size)
    if bytes > memoryBudgetBytes { break }
    let coversImage = imageWidth <= size && imageHeight <= size
    if size >= alignment || coversImage, let inputSize = predictor.inputSize(forOutputSize: size) {
      let tiles =
        OverlapTilePlan.tileCount(extent: imageWidth, tileSize: size, alignment: alignment)
        * OverlapTilePlan.tileCount(extent: imageHeight, tileSize: size, alignment: alignment)
      let cost = tiles * inputSize * inputSize
      if best == nil || cost <= best?.cost ?? Int.max { best = (size, cost) }
    }
    candidate = predictor.smallestLegalOutputSize(atLeast: size + 1)
  }
  if let best { return best.size }
  return predictor.smallestLegalOutputSize(atLeast: alignment) ?? smallest
}

/// The legal output tile edge for a size the client asked for (the protocol's `tile_size`).
///
/// The largest legal size ≤ `requested` (so the memory a client allowed is not exceeded), or
/// the smallest legal size if `requested` is below all of them; never smaller than the
/// predictor's alignment unless one tile covers the image, and never larger than the smallest
/// legal size that covers the image in one tile (a larger tile gives the same result with more
/// work). The caller reports the size used.
public func legalOutputTileSize<Predictor: TilePredictor>(
  requested: Int, predictor: Predictor, imageWidth: Int, imageHeight: Int
) -> Int {
  precondition(imageWidth > 0 && imageHeight > 0, "legalOutputTileSize: empty image \(imageWidth)×\(imageHeight)")
  guard
    var size = predictor.largestLegalOutputSize(atMost: requested)
      ?? predictor.smallestLegalOutputSize(atLeast: max(requested, 1))
  else {
    preconditionFailure("legalOutputTileSize: the network has no legal output size")
  }
  if let wholeImage = predictor.smallestLegalOutputSize(atLeast: max(imageWidth, imageHeight)) {
    size = min(size, wholeImage)
  }
  let coversImage = imageWidth <= size && imageHeight <= size
  if size < predictor.outputAlignment && !coversImage,
    let aligned = predictor.smallestLegalOutputSize(atLeast: predictor.outputAlignment)
  {
    size = aligned
  }
  return size
}
