import ImageOps
import NeuralCore

/// The grid the network sees one input on: the input's own, or, when the input's and the
/// model's pixel sizes are both known and differ by more than 1 % (`PixelSize.differs`), the
/// same field of view in the model's pixels. `segment` resamples each page there, runs the
/// overlap-tile plan, and brings the probabilities back to the input's grid, where masks,
/// instances and tables are made: outputs keep the input's size, and objects are cut once, on
/// the grid the user measures on.
struct SegmentationGrid: Sendable, Equatable {
  /// The input's size and what it states (or the request gives) as its pixel size.
  let inputWidth: Int
  let inputHeight: Int
  let pixelSize: PixelSize?
  /// The network's grid; equal to the input's when nothing is resampled.
  let networkWidth: Int
  let networkHeight: Int

  init(inputWidth: Int, inputHeight: Int, pixelSize: PixelSize?, modelPixelSize: Double?) {
    self.inputWidth = inputWidth
    self.inputHeight = inputHeight
    self.pixelSize = pixelSize
    if let pixelSize, let modelPixelSize, pixelSize.differs(from: modelPixelSize) {
      (networkWidth, networkHeight) = pixelSize.resampledSize(width: inputWidth, height: inputHeight, model: modelPixelSize)
    } else {
      (networkWidth, networkHeight) = (inputWidth, inputHeight)
    }
  }

  var isResampled: Bool { networkWidth != inputWidth || networkHeight != inputHeight }

  /// Input pixels per network pixel: converts an area counted on the network's grid (the
  /// model's fragment size) to the input's.
  var areaScale: Double {
    Double(inputWidth * inputHeight) / Double(networkWidth * networkHeight)
  }

  /// A page (C×H×W) on the network's grid.
  func toNetwork(_ image: Tensor) -> Tensor {
    resampled(image, height: networkHeight, width: networkWidth)
  }

  /// Probabilities (K×h×w on the network's grid) on the input's grid; linear weights sum to
  /// 1, so per-pixel class probabilities still sum to 1.
  func toInput(_ probabilities: Tensor) -> Tensor {
    resampled(probabilities, height: inputHeight, width: inputWidth)
  }

  /// `area` pixels of the network's grid in input pixels, rounded.
  func inputArea(_ area: Int) -> Int {
    Int((Double(area) * areaScale).rounded())
  }
}
