import Foundation
import JSONRPC
import Testing

/// Files that cannot be read (-32001, `data.path`), data that do not fit together (-32003),
/// outputs that cannot be written or would overwrite an input (-32002, `data.path`); after
/// each, the worker still answers.
@Suite("File errors")
struct FileErrorTests {
  /// A folder with a valid 40×40 image/label pair and some broken files.
  static func makeFolder() throws -> TestFolder {
    let folder = TestFolder("files")
    let (width, height) = (40, 40)
    var pixels = [Float](repeating: 0.1, count: width * height)
    var labels = [UInt16](repeating: 0, count: width * height)
    for y in 10..<30 {
      for x in 10..<30 {
        pixels[y * width + x] = 0.9
        labels[y * width + x] = 1
      }
    }
    try folder.writeFloatImage(pixels, width: width, height: height, to: "a.tif")
    try folder.writeLabels(labels, width: width, height: height, to: "a_labels.tif")
    try folder.writeLabels(Array(labels[0..<(width * 36)]), width: width, height: 36, to: "short_labels.tif")
    // Class labels 0...3: too many for a 3-class model.
    try folder.writeLabels(labels.indices.map { labels[$0] == 0 ? 0 : ($0 % width < 20 ? 1 : 3) }, width: width, height: height, to: "class_labels.tif")
    try folder.writeFloatImage(pixels + pixels, width: width, height: height, channels: 2, to: "two_channels.tif")
    try folder.writeFloatImage(pixels.map { $0 + 0.25 }, width: width, height: height, to: "fractional.tif")
    var withNaN = pixels
    withNaN[5] = .nan
    try folder.writeFloatImage(withNaN, width: width, height: height, to: "nan.tif")
    try MixedSizeTIFF.write(
      [.init(width: 40, height: 40, value: 1), .init(width: 30, height: 20, value: 1)], to: folder.file("mixed_labels.tif"))
    try folder.writeText("this is not a TIFF\n", to: "text.tif")
    try folder.writeText("", to: "empty.tif")
    try FileManager.default.createDirectory(atPath: folder.file("folder.tif"), withIntermediateDirectories: false)
    return folder
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let method: String
    /// The params; `@/` stands for the test folder.
    let params: String
    let code: Int
    /// The path `data.path` must name (with `@/`), or nil for -32003 (checked for paths in `data`).
    let path: String?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "train: image file missing", method: "train",
      params: #"{"images":["@/missing.tif"],"labels":["@/a_labels.tif"],"model_out":"@/m.unet"}"#,
      code: -32001, path: "@/missing.tif"),
    Case(
      name: "train: labels not a TIFF", method: "train",
      params: #"{"images":["@/a.tif"],"labels":["@/text.tif"],"model_out":"@/m.unet"}"#,
      code: -32001, path: "@/text.tif"),
    Case(
      name: "train: image is an empty file", method: "train",
      params: #"{"images":["@/empty.tif"],"labels":["@/a_labels.tif"],"model_out":"@/m.unet"}"#,
      code: -32001, path: "@/empty.tif"),
    Case(
      name: "train: image is a folder", method: "train",
      params: #"{"images":["@/folder.tif"],"labels":["@/a_labels.tif"],"model_out":"@/m.unet"}"#,
      code: -32001, path: "@/folder.tif"),
    Case(
      name: "train: labels hold fractions", method: "train",
      params: #"{"images":["@/a.tif"],"labels":["@/fractional.tif"],"model_out":"@/m.unet"}"#,
      code: -32001, path: "@/fractional.tif"),
    Case(
      name: "train: image with a NaN pixel", method: "train",
      params: #"{"images":["@/nan.tif"],"labels":["@/a_labels.tif"],"model_out":"@/m.unet"}"#,
      code: -32001, path: "@/nan.tif"),
    Case(
      name: "train: init_model missing", method: "train",
      params: #"{"images":["@/a.tif"],"labels":["@/a_labels.tif"],"model_out":"@/m.unet","init_model":"@/none.unet"}"#,
      code: -32001, path: "@/none.unet"),
    Case(
      name: "segment: model missing", method: "segment",
      params: #"{"model":"@/none.unet","images":["@/a.tif"],"output_dir":"@/out"}"#,
      code: -32001, path: "@/none.unet"),
    Case(
      name: "segment: model is not a model", method: "segment",
      params: #"{"model":"@/a.tif","images":["@/a.tif"],"output_dir":"@/out"}"#,
      code: -32001, path: "@/a.tif"),
    Case(name: "model_info: missing", method: "model_info", params: #"{"model":"@/none.unet"}"#, code: -32001, path: "@/none.unet"),
    Case(name: "model_info: a text file", method: "model_info", params: #"{"model":"@/text.tif"}"#, code: -32001, path: "@/text.tif"),
    Case(
      name: "evaluate: prediction missing", method: "evaluate",
      params: #"{"prediction":"@/missing.tif","truth":"@/a_labels.tif"}"#, code: -32001, path: "@/missing.tif"),
    Case(
      name: "weight_map: labels not a TIFF", method: "weight_map",
      params: #"{"labels":"@/text.tif","output":"@/w.tif"}"#, code: -32001, path: "@/text.tif"),
    Case(
      name: "weight_map: label pages of different sizes", method: "weight_map",
      params: #"{"labels":"@/mixed_labels.tif","output":"@/w.tif"}"#, code: -32001, path: "@/mixed_labels.tif"),
    Case(
      name: "train: image and labels differ in size", method: "train",
      params: #"{"images":["@/a.tif"],"labels":["@/short_labels.tif"],"model_out":"@/m.unet"}"#,
      code: -32003, path: nil),
    Case(
      name: "train: images with different channel counts", method: "train",
      params: #"{"images":["@/a.tif","@/two_channels.tif"],"labels":["@/a_labels.tif","@/a_labels.tif"],"model_out":"@/m.unet"}"#,
      code: -32003, path: nil),
    Case(
      name: "train: a class label >= classes", method: "train",
      params: #"{"images":["@/a.tif"],"labels":["@/class_labels.tif"],"model_out":"@/m.unet","config":{"classes":3,"label_kind":"classes"}}"#,
      code: -32003, path: "@/class_labels.tif"),
    Case(
      name: "evaluate: a class label >= classes", method: "evaluate",
      params: #"{"prediction":"@/a_labels.tif","truth":"@/class_labels.tif","truth_kind":"classes","classes":3}"#,
      code: -32003, path: "@/class_labels.tif"),
    Case(
      name: "evaluate: prediction and truth differ in size", method: "evaluate",
      params: #"{"prediction":"@/a_labels.tif","truth":"@/short_labels.tif"}"#, code: -32003, path: nil),
    Case(
      name: "train: model_out is an input", method: "train",
      params: #"{"images":["@/a.tif"],"labels":["@/a_labels.tif"],"model_out":"@/./a_labels.tif"}"#,
      code: -32002, path: "@/./a_labels.tif"),
    Case(
      name: "weight_map: output is its input", method: "weight_map",
      params: #"{"labels":"@/a_labels.tif","output":"@/a_labels.tif"}"#, code: -32002, path: "@/a_labels.tif"),
    Case(
      name: "weight_map: output folder missing", method: "weight_map",
      params: #"{"labels":"@/a_labels.tif","output":"@/no/such/folder/w.tif"}"#,
      code: -32002, path: "@/no/such/folder/w.tif"),
    Case(
      name: "weight_map: output is a folder", method: "weight_map",
      params: #"{"labels":"@/a_labels.tif","output":"@/folder.tif"}"#, code: -32002, path: "@/folder.tif"),
    Case(
      name: "generate: output_dir is a file", method: "generate",
      params: #"{"kind":"nuclei","output_dir":"@/a.tif","width":16,"height":16}"#, code: -32002, path: "@/a.tif"),
  ]

  @Test("Each file error has its code and names the path; the worker keeps serving", arguments: cases)
  func fileError(_ bad: Case) async throws {
    let folder = try Self.makeFolder()
    let before = folder.names
    let expand = { (text: String) in text.replacingOccurrences(of: "@/", with: folder.path + "/") }
    let session = WorkerSession()
    let reply = try await session.call(1, bad.method, try JSONValue.parse(expand(bad.params)))
    #expect(reply.code == bad.code, "\(reply)")
    #expect(reply.error?["message"]?.stringValue?.isEmpty == false)
    if let path = bad.path {
      #expect(reply.data?["path"] == .string(expand(path)), "\(reply)")
    } else {
      // -32003 says which files do not fit: every path it names is one of the request's.
      let named = reply.data?.objectValue?.compactMap { $0.value.stringValue } ?? []
      #expect(!named.isEmpty, "\(reply)")
      #expect(named.allSatisfy { expand(bad.params).contains($0) }, "\(reply)")
    }
    let after = try await session.call(2, "initialize")
    #expect(after.result?["name"] == "unet-worker")
    #expect(await session.finish())
    #expect(session.replies.count == 2)
    #expect(folder.names == before, "a failed request must leave no file behind")
  }
}
