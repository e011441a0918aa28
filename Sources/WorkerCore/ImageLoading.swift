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

  /// Every label image of a TIFF file, following the protocol's rules for `kind`: with
  /// instance labels 0 is background, every other value one object, and a mask with a single
  /// foreground value is split into 4-connected components; class labels are kept as they
  /// are, and a value outside 0..<classes (other than `ignoreValue`) is -32003 naming the
  /// file. Pixels equal to `ignoreValue` are kept as they are.
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
      guard case .classes(let classes) = kind else {
        return isSingleValueMask(labels, ignoreValue: ignoreValue)
          ? splitMask(labels, ignoreValue: ignoreValue) : labels
      }
      if let (p, value) = labels.firstValue(outside: 0..<Int32(classes), ignoreValue: ignoreValue) {
        throw RPCError.dataMismatch(
          "\(path) (image \(index + 1)) has the label value \(value) at x \(p % labels.width), y \(p / labels.width), but class labels must lie in 0...\(classes - 1) (classes \(classes))",
          ["path": .string(path), "value": .int(Int64(value)), "classes": .int(Int64(classes))])
      }
      return labels
    }
    return (pages, stack.calibration)
  }

  /// True when every foreground pixel carries the same value: a binary mask.
  static func isSingleValueMask(_ labels: LabelImage, ignoreValue: Int32?) -> Bool {
    var first: Int32 = 0
    for value in labels.values where value != 0 && value != ignoreValue {
      if first == 0 {
        first = value
      } else if value != first {
        return false
      }
    }
    return first != 0
  }

  /// The mask's 4-connected components as objects; ignored pixels keep their value, and
  /// component numbers skip the ignore value so no object is mistaken for ignored pixels.
  private static func splitMask(_ labels: LabelImage, ignoreValue: Int32?) -> LabelImage {
    var split = labels.splitIntoConnectedComponents(ignoreValue: ignoreValue).labels
    guard let ignoreValue else { return split }
    for i in 0..<split.values.count {
      if labels.values[i] == ignoreValue {
        split.values[i] = ignoreValue
      } else if ignoreValue > 0 && split.values[i] >= ignoreValue {
        split.values[i] += 1
      }
    }
    return split
  }
}
