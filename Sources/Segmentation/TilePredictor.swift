import NeuralCore

/// A network that turns one input tile into per-pixel class probabilities, as the overlap-tile
/// strategy (the paper's Fig. 2) needs it: an unpadded ("valid") network whose output tile is
/// the centre of its input tile, `margin = (in − out) / 2` pixels in from every side.
///
/// The segmenter knows networks only through this seam, so it can be tested with small mock
/// networks; the U-Net conforms in the worker.
///
/// Shapes: a tile is C×in×in (C = `inputChannels`), its prediction K×out×out (K = `classes`),
/// both square, CHW as everywhere in the core.
public protocol TilePredictor {
  /// C: channels of the (normalised) input image.
  var inputChannels: Int { get }

  /// K ≥ 2: softmax classes; class 0 is background.
  var classes: Int { get }

  /// The shift, in input pixels, under which the network's output shifts along exactly.
  ///
  /// Convolutions are equivariant to any shift, but a 2×2 max-pool with stride 2 only to even
  /// shifts, so a U-Net of depth d (d pooling steps) is equivariant to shifts by multiples of
  /// 2^d (16 for the paper's network) and no others. Tiles are placed on this grid so that
  /// stitching is exact. 1 for a network without pooling.
  var outputAlignment: Int { get }

  /// The input tile edge for an output tile edge, or nil if `outputSize` is not legal (for the
  /// U-Net: every 2×2 pooling must see an even size).
  func inputSize(forOutputSize outputSize: Int) -> Int?

  /// The largest legal output edge ≤ `atMost`, or nil if there is none.
  func largestLegalOutputSize(atMost limit: Int) -> Int?

  /// The smallest legal output edge ≥ `atLeast`, or nil if there is none.
  func smallestLegalOutputSize(atLeast limit: Int) -> Int?

  /// Working memory in bytes of predicting one tile of this output edge (activations and
  /// scratch, not the weights), used to choose the tile size from a memory budget.
  func estimatedBytes(forOutputSize outputSize: Int) -> Int

  /// Softmax probabilities K×out×out for a C×in×in tile, `in = inputSize(forOutputSize: out)`.
  func predictProbabilities(_ tile: Tensor) -> Tensor
}

extension TilePredictor {
  /// Context pixels the network consumes on each side of an output tile: (in − out) / 2.
  public func margin(forOutputSize outputSize: Int) -> Int {
    guard let inputSize = inputSize(forOutputSize: outputSize) else {
      preconditionFailure("TilePredictor: output tile size \(outputSize) is not legal")
    }
    let context = inputSize - outputSize
    precondition(
      context >= 0 && context % 2 == 0,
      "TilePredictor: input \(inputSize) for output \(outputSize) is not centred (odd or negative context)")
    return context / 2
  }
}
