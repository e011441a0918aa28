import ImageOps
import JSONRPC
import NeuralCore
import TIFFSupport

/// One 2D image of a TIFF file, as the network sees it: C×H×W floats.
struct LoadedImage: Sendable {
  let path: String
  /// Index of the image in its file (page, or slice/frame of a hyperstack).
  let index: Int
  let pixels: Tensor
}

/// Reading protocol inputs: images as tensors, label images as instance labels.
enum ImageLoading {
  /// Every image of a TIFF file (a stack gives one image per page or slice/frame).
  static func images(at path: String) throws -> (images: [LoadedImage], stack: TIFFStack) {
    let stack = try TIFFReader.read(path: path)
    let images = stack.images.enumerated().map { index, image in
      LoadedImage(path: path, index: index, pixels: tensor(image))
    }
    return (images, stack)
  }

  /// An image as the network sees it: C×H×W floats.
  static func tensor(_ image: TIFFImage) -> Tensor {
    Tensor(
      shape: Shape(channels: image.channels, height: image.height, width: image.width),
      storage: image.floatPlanes())
  }

  /// Every label image of a TIFF file, its values as they are: the objects are found by the
  /// one rule for label files, `LabelImage.objects(kind:ignoreValue:)` (ImageOps), where they
  /// are used. For class labels a value outside 0..<classes (other than `ignoreValue`) is
  /// -32003 naming the file.
  static func labels(
    at path: String, ignoreValue: Int32?, kind: LabelKind = .instances
  ) throws -> (pages: [LabelImage], calibration: TIFFCalibration?) {
    let stack = try TIFFReader.read(path: path)
    let pages = try stack.images.enumerated().map { index, image in
      guard image.channels == 1 else {
        throw RPCError.fileUnreadable(
          path: path, "label image \(path) has \(image.channels) channels; labels need one")
      }
      let values: [Int32]
      do {
        values = try image.integerLabels()
      } catch {
        throw RPCError.fileUnreadable(
          path: path, "\(path) (image \(index + 1)) is not a label image: \(error)")
      }
      let labels = LabelImage(width: image.width, height: image.height, values: values)
      guard case .classes(let classes) = kind else { return labels }
      if let (p, value) = labels.firstValue(outside: 0..<Int32(classes), ignoreValue: ignoreValue) {
        throw RPCError.dataMismatch(
          "\(path) (image \(index + 1)) has the label value \(value) at x \(p % labels.width), y \(p / labels.width), but class labels must lie in 0...\(classes - 1) (classes \(classes))",
          ["path": .string(path), "value": .int(Int64(value)), "classes": .int(Int64(classes))])
      }
      return labels
    }
    return (pages, stack.calibration)
  }

  /// K for class images given without `classes`: the largest class id + 1 (at least 2),
  /// `ignoreValue` left out.
  static func classCount(of pages: [LabelImage], ignoreValue: Int32?) -> Int {
    let largest = pages.lazy.flatMap { $0.values }.filter { $0 != ignoreValue }.max() ?? 0
    return max(2, Int(largest) + 1)
  }
}
