import Foundation
import ImageOps
import JSONRPC
import NeuralCore
import TIFFSupport

/// Writing the worker's TIFF outputs (always atomically, through `TIFFWriter`, or page by page
/// through `TIFFStreamWriter` and `TIFFLabelStackWriter`) and keeping them away from the inputs.
enum OutputFiles {
  /// Float32 images (one page per tensor, all channels), e.g. probabilities or weight maps.
  static func writeFloat(_ pages: [Tensor], to path: String, calibration: TIFFCalibration?) throws {
    try TIFFWriter.write(pages.map(floatImage), to: path, calibration: calibration)
  }

  /// Binary masks as uint8 0/255, one page per mask.
  static func writeMask(_ pages: [[UInt8]], width: Int, height: Int, to path: String, calibration: TIFFCalibration?) throws {
    let images = pages.map { maskImage($0, width: width, height: height) }
    try TIFFWriter.write(images, to: path, calibration: calibration)
  }

  /// Label images as uint16, or uint32 when any page has more than 65535 objects.
  static func writeLabels(_ pages: [LabelImage], to path: String, calibration: TIFFCalibration?) throws {
    let writer = try TIFFLabelStackWriter(path: path, imageCount: pages.count, calibration: calibration)
    for page in pages {
      try writer.append(width: page.width, height: page.height, labels: page.values)
    }
    try writer.finish()
  }

  /// A tensor as a float32 image with all its channels.
  static func floatImage(_ tensor: Tensor) -> TIFFImage {
    TIFFImage(width: tensor.width, height: tensor.height, channels: tensor.channels, samples: .float32(tensor.storage))
  }

  /// A uint8 0/255 mask as an image.
  static func maskImage(_ mask: [UInt8], width: Int, height: Int) -> TIFFImage {
    TIFFImage(width: width, height: height, channels: 1, samples: .uint8(mask))
  }

  /// The absolute, symlink-free form of a path, for comparing outputs with inputs.
  static func canonical(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }

  /// Throws -32002 when `output` names one of `inputs`: an input is never overwritten.
  static func ensureNotAnInput(_ output: String, inputs: [String]) throws(RPCError) {
    let target = canonical(output)
    if inputs.contains(where: { canonical($0) == target }) {
      throw RPCError.fileUnwritable(path: output, "refusing to overwrite the input \(output)")
    }
  }

  /// Creates `folder` (and parents) if missing; -32002 when that fails or it is a file.
  /// The folder a file path lies in ("." for a bare name).
  static func parentFolder(of path: String) -> String {
    let parent = (path as NSString).deletingLastPathComponent
    return parent.isEmpty ? "." : parent
  }

  static func ensureFolder(_ folder: String) throws(RPCError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
      if isDirectory.boolValue { return }
      throw RPCError.fileUnwritable(path: folder, "\(folder) exists and is not a folder")
    }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw RPCError.fileUnwritable(path: folder, "cannot create the folder \(folder): \(error.localizedDescription)")
    }
  }

  /// `<folder>/<stem of input><suffix>.<extension>`.
  static func path(in folder: String, for input: String, suffix: String, extension: String = "tif") -> String {
    let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
    return URL(fileURLWithPath: folder).appendingPathComponent("\(stem)\(suffix).\(`extension`)").path
  }
}

