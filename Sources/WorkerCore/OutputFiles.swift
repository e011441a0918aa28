import Foundation
import ImageOps
import JSONRPC
import NeuralCore
import TIFFSupport

/// Writing the worker's TIFF outputs (always atomically, through `TIFFWriter`) and keeping
/// them away from the inputs.
enum OutputFiles {
  /// Float32 images (one page per tensor, all channels), e.g. probabilities or weight maps.
  static func writeFloat(_ pages: [Tensor], to path: String, calibration: TIFFCalibration?) throws {
    let images = pages.map {
      TIFFImage(width: $0.width, height: $0.height, channels: $0.channels, samples: .float32($0.storage))
    }
    try TIFFWriter.write(images, to: path, calibration: calibration)
  }

  /// Binary masks as uint8 0/255, one page per mask.
  static func writeMask(_ pages: [[UInt8]], width: Int, height: Int, to path: String, calibration: TIFFCalibration?) throws {
    let images = pages.map { TIFFImage(width: width, height: height, channels: 1, samples: .uint8($0)) }
    try TIFFWriter.write(images, to: path, calibration: calibration)
  }

  /// Label images as uint16, or uint32 when any page has more than 65535 objects.
  static func writeLabels(_ pages: [LabelImage], to path: String, calibration: TIFFCalibration?) throws {
    let wide = pages.contains { $0.maximumLabel > Int32(UInt16.max) }
    let images = pages.map { page in
      TIFFImage(
        width: page.width, height: page.height, channels: 1,
        samples: wide
          ? .uint32(page.values.map { UInt32(clamping: $0) })
          : .uint16(page.values.map { UInt16(clamping: $0) }))
    }
    try TIFFWriter.write(images, to: path, calibration: calibration)
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

  /// `<folder>/<stem of input><suffix>.tif`.
  static func path(in folder: String, for input: String, suffix: String) -> String {
    let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
    return URL(fileURLWithPath: folder).appendingPathComponent("\(stem)\(suffix).tif").path
  }
}
