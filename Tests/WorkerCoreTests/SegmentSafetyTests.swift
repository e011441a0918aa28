import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// `segment` never overwrites an input, never leaves a temporary file, and turns bad inputs
/// into the contract's errors naming the file.
@Suite("Segment safety")
struct SegmentSafetyTests {
  /// A folder holding `a.tif` (the shared training image) and `a_mask.tif` (a copy of it).
  static func folderWithInputs(_ trained: TrainedNucleiModel) throws -> TestFolder {
    let folder = TestFolder("safety")
    try FileManager.default.copyItem(atPath: trained.image, toPath: folder.file("a.tif"))
    try FileManager.default.copyItem(atPath: trained.image, toPath: folder.file("a_mask.tif"))
    return folder
  }

  @Test(
    "An output that would replace an input is -32002 naming it, and nothing is written",
    arguments: [false, true])
  func inputNeverOverwritten(throughSymlink: Bool) async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = try Self.folderWithInputs(trained)
    let original = folder.contents("a_mask.tif")
    var outputDir = folder.path
    if throughSymlink {
      // The same folder under another name must be recognised as well.
      outputDir = folder.path + "-link"
      try FileManager.default.createSymbolicLink(atPath: outputDir, withDestinationPath: folder.path)
    }
    defer { if throughSymlink { try? FileManager.default.removeItem(atPath: outputDir) } }
    let session = WorkerSession()
    let reply = try await session.call(
      1, "segment",
      TrainingRequests.segment(
        model: trained.model, images: [folder.file("a.tif"), folder.file("a_mask.tif")], outputDir: outputDir))
    #expect(reply.code == -32002, "\(reply)")
    #expect(reply.data?["path"] == .string(outputDir + "/a_mask.tif"), "\(reply)")
    #expect(folder.names == ["a.tif", "a_mask.tif"])
    #expect(folder.contents("a_mask.tif") == original)
    #expect(await session.finish())
  }

  @Test("A write that fails half-way is -32002 naming the file, and leaves no temporary file")
  func failedWriteLeavesNoTemporaryFile() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = try Self.folderWithInputs(trained)
    let out = folder.file("out")
    // A folder where the mask should go makes that one write fail.
    try FileManager.default.createDirectory(atPath: out + "/a_mask.tif", withIntermediateDirectories: true)
    let session = WorkerSession()
    let reply = try await session.call(
      1, "segment", TrainingRequests.segment(model: trained.model, images: [folder.file("a.tif")], outputDir: out))
    #expect(reply.code == -32002, "\(reply)")
    #expect(reply.data?["path"] == .string(out + "/a_mask.tif"), "\(reply)")
    let written = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
    #expect(!written.contains { $0.hasPrefix(".") || $0.contains("tmp") }, "\(written)")
    #expect(await session.finish())
  }

  @Test("Segmenting again replaces earlier outputs; no temporary names are ever left")
  func repeatedSegmentationReplacesOutputs() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = try Self.folderWithInputs(trained)
    let session = WorkerSession()
    for id in 1...2 {
      let reply = try await session.call(
        .int(Int64(id)), "segment",
        TrainingRequests.segment(model: trained.model, images: [folder.file("a.tif")], outputDir: folder.path))
      #expect(reply.result != nil, "\(reply)")
    }
    // `a_mask.tif` was a copy of the image; not an input of these requests, it is replaced.
    #expect(folder.names == ["a.tif", "a_instances.tif", "a_mask.tif", "a_probabilities.tif"])
    #expect(try TIFFReader.read(path: folder.file("a_mask.tif")).images.first?.sampleType == .uint8)
    #expect(folder.temporaryNames.isEmpty, "\(folder.names)")
    #expect(await session.finish())
  }

  @Test(
    "A stack whose pages differ in size is -32001 naming it, for any outputs, and nothing is written",
    arguments: [["probabilities", "mask", "instances"], ["mask"], ["instances"]])
  func pagesOfDifferentSizes(outputs: [String]) async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("mixed-pages")
    try MixedSizeTIFF.write([.init(width: 40, height: 40, value: 30), .init(width: 50, height: 30, value: 200)], to: folder.file("mixed.tif"))
    #expect(try TIFFReader.read(path: folder.file("mixed.tif")).images.map(\.width) == [40, 50])
    let session = WorkerSession()
    let reply = try await session.call(
      1, "segment",
      TrainingRequests.segment(
        model: trained.model, images: [folder.file("mixed.tif")], outputDir: folder.file("out"),
        extra: ["outputs": .array(outputs.map { .string($0) })]))
    #expect(reply.code == -32001, "\(reply)")
    #expect(reply.data?["path"] == .string(folder.file("mixed.tif")), "\(reply)")
    #expect(folder.names == ["mixed.tif"])
    #expect(try await session.call(2, "initialize").result != nil, "the worker is still up")
    #expect(await session.finish())
  }

  @Test("An image that is not a TIFF is -32001 naming it; a channel mismatch is -32003")
  func badImages() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("bad-images")
    try folder.writeText("P2 not a tiff", to: "text.tif")
    try folder.writeFloatImage([Float](repeating: 0.5, count: 2 * 32 * 32), width: 32, height: 32, channels: 2, to: "rgb.tif")
    let session = WorkerSession()
    let unreadable = try await session.call(
      1, "segment",
      TrainingRequests.segment(model: trained.model, images: [folder.file("text.tif")], outputDir: folder.file("out")))
    #expect(unreadable.code == -32001, "\(unreadable)")
    #expect(unreadable.data?["path"] == .string(folder.file("text.tif")))
    let mismatch = try await session.call(
      2, "segment",
      TrainingRequests.segment(model: trained.model, images: [folder.file("rgb.tif")], outputDir: folder.file("out")))
    #expect(mismatch.code == -32003, "\(mismatch)")
    #expect(mismatch.data?["path"] == .string(folder.file("rgb.tif")))
    #expect(folder.names == ["rgb.tif", "text.tif"], "failed requests write nothing")
    #expect(await session.finish())
  }
}
