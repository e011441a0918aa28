import Foundation
import JSONRPC
import ModelExport
import Testing

/// `export` (issue 15, part 1) through the worker: the package file and the result, the same
/// bytes for the same request, and the params errors. `Tests/tools/outside/check_bioimageio.py`
/// runs `bioimageio test` and onnxruntime on such a package.
@Suite("export to bioimage.io")
struct ExportMethodTests {
  /// How long a request may take when every suite runs at once on a loaded machine.
  static let patience = Duration.seconds(300)

  /// A tiny model trained for 3 iterations in `folder` (the export does not care how good it is).
  static func tinyModel(in folder: TestFolder, session: WorkerSession) async throws -> String {
    let generated = try await session.call(
      "generate", "generate", ["kind": "nuclei", "output_dir": folder.json("data"), "width": 64, "height": 64, "seed": 3],
      timeout: patience)
    let image = try #require(generated.result?["images"]?[0]?.stringValue, "\(generated)")
    let labels = try #require(generated.result?["labels"]?[0]?.stringValue, "\(generated)")
    let model = folder.file("tiny.unet")
    let trained = try await session.call(
      "train", "train", TrainingRequests.train(image: image, labels: labels, modelOut: model, iterations: 3),
      timeout: patience)
    try #require(trained.result?["model"] == .string(model), "\(trained)")
    return model
  }

  @Test("export writes a zip whose SHA-256 the result gives, the same bytes every time")
  func exportWritesThePackage() async throws {
    let folder = TestFolder("export")
    let session = WorkerSession(threads: 2)
    let params: JSONValue = [
      "model": .string(try await Self.tinyModel(in: folder, session: session)), "output": folder.json("package.zip"),
      "authors": [["name": "Test Author"]], "tile_size": 20,
    ]
    let first = try #require(try await session.call(1, "export", params, timeout: Self.patience).result)
    #expect(first["output"]?.stringValue == folder.file("package.zip"))
    #expect(first["format"]?.stringValue == "bioimageio")
    #expect(first["onnx_opset"]?.int64Value == ONNX.opsetVersion)
    let bytes = try #require(folder.contents("package.zip"))
    #expect(Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
    #expect(first["sha256"]?.stringValue == SHA256.hexDigest(Array(bytes)))
    let second = try #require(try await session.call(2, "export", params, timeout: Self.patience).result)
    #expect(second["sha256"] == first["sha256"], "the same model and params give the same package")
    #expect(folder.names == ["data", "package.zip", "tiny.unet"], "no temporary file is left: \(folder.names)")
    let progress = session.progress(of: 1)
    #expect(progress.count == 2 && progress.allSatisfy { $0["params"]?["stage"]?.stringValue == "export" }, "\(progress)")
    #expect(await session.finish(timeout: Self.patience))
  }

  @Test("bad export params name their field")
  func badParams() async throws {
    let folder = TestFolder("export-errors")
    let session = WorkerSession(threads: 1)
    let model = JSONValue.string(try await Self.tinyModel(in: folder, session: session))
    let cases: [(JSONValue, Int, String)] = [
      (["model": model, "output": folder.json("package.tar")], -32602, "output"),
      (["model": model, "output": folder.json("p.zip"), "name": "abc"], -32602, "name"),
      (["model": model, "output": folder.json("p.zip"), "authors": [["name": ""]]], -32602, "authors[0].name"),
      (["model": model, "output": folder.json("p.zip"), "authors": ["Ada"]], -32602, "authors[0]"),
      (["model": model, "output": folder.json("p.zip"), "tile_size": 21], -32602, "tile_size"),
      (["model": model, "output": model], -32602, "output"),  // not a .zip: refused before the overwrite check
      (["model": model, "output": folder.json("p.zip"), "colour": "red"], -32602, "colour"),
    ]
    for (index, (params, code, field)) in cases.enumerated() {
      let reply = try await session.call(.int(Int64(index + 1)), "export", params, timeout: Self.patience)
      #expect(reply.code == code, "\(params): \(reply)")
      #expect(reply.data?["field"]?.stringValue == field, "\(params): \(reply)")
    }
    let missing = try await session.call(
      99, "export", ["model": folder.json("missing.unet"), "output": folder.json("p.zip")], timeout: Self.patience)
    #expect(missing.code == -32001 && missing.data?["path"]?.stringValue == folder.file("missing.unet"))
    #expect(folder.names == ["data", "tiny.unet"], "nothing else is written: \(folder.names)")
    #expect(await session.finish(timeout: Self.patience))
  }
}
