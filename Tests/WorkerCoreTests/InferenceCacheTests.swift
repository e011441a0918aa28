import Foundation
import JSONRPC
import Testing

/// `segment` keeps the last model and its buffers for the next request (`InferenceCache`):
/// a kept model must give exactly what a fresh worker gives, and a model file replaced or
/// edited between requests must be read again.
@Suite("Inference cache")
struct InferenceCacheTests {
  /// The probability map of `image` segmented with `model` by `session`.
  static func probabilities(
    _ session: WorkerSession, _ id: Int, model: String, image: String, folder: TestFolder
  ) async throws -> PlainImage {
    let result = try await SegmentWithTrainedModelTests.segment(
      session, .int(Int64(id)), model: model, images: [image], outputDir: folder.file("out\(id)"),
      extra: ["outputs": ["probabilities"]])
    return try PlainImage.read(try #require(result["outputs"]?[0]?["probabilities"]?.stringValue, "\(result)"))
  }

  @Test("Repeated requests with one model give the fresh worker's result, also after a train")
  func keptModelMatchesFresh() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("cache-same")
    let fresh = WorkerSession(threads: 2)
    let reference = try await Self.probabilities(fresh, 1, model: trained.model, image: trained.image, folder: folder)
    #expect(await fresh.finish())

    let session = WorkerSession(threads: 2)
    for id in 2...3 {
      let again = try await Self.probabilities(session, id, model: trained.model, image: trained.image, folder: folder)
      #expect(again.pixels == reference.pixels, "request \(id)")
    }
    // A train in between releases the kept model; segment then reads it again.
    let other = folder.file("other.unet")
    let training = try await session.call(
      "t", "train", TrainingRequests.train(image: trained.image, labels: trained.labels, modelOut: other, iterations: 3))
    #expect(training.result != nil, "\(training)")
    let afterTrain = try await Self.probabilities(session, 4, model: trained.model, image: trained.image, folder: folder)
    #expect(afterTrain.pixels == reference.pixels)
    #expect(await session.finish())
  }

  @Test("A model file replaced by rename or rewritten in place is read again")
  func changedFileIsReread() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("cache-changed")
    let session = WorkerSession(threads: 2)
    // A second model of the same architecture and file size: a few iterations from scratch.
    let other = folder.file("other.unet")
    let training = try await session.call(
      "t", "train", TrainingRequests.train(image: trained.image, labels: trained.labels, modelOut: other, iterations: 5))
    #expect(training.result != nil, "\(training)")
    let otherProbabilities = try await Self.probabilities(session, 1, model: other, image: trained.image, folder: folder)

    let path = folder.file("current.unet")
    let trainedBytes = try Data(contentsOf: URL(fileURLWithPath: trained.model))
    let otherBytes = try Data(contentsOf: URL(fileURLWithPath: other))
    try trainedBytes.write(to: URL(fileURLWithPath: path))
    let first = try await Self.probabilities(session, 2, model: path, image: trained.image, folder: folder)
    #expect(first.maxAbsDifference(otherProbabilities) > 0.01, "the two models must differ for this test to mean anything")

    // Replaced by rename (as `train` writes models): the new model's result.
    let staged = folder.file("staged.unet")
    try otherBytes.write(to: URL(fileURLWithPath: staged))
    #expect(rename(staged, path) == 0)
    let renamed = try await Self.probabilities(session, 3, model: path, image: trained.image, folder: folder)
    #expect(renamed.pixels == otherProbabilities.pixels)

    // Rewritten in place (same inode; the old model's bytes): the old model's result again.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: 0)
    try handle.write(contentsOf: trainedBytes)
    try handle.close()
    let rewritten = try await Self.probabilities(session, 4, model: path, image: trained.image, folder: folder)
    #expect(rewritten.pixels == first.pixels)

    // Removed: a clear error, not the kept model.
    try FileManager.default.removeItem(atPath: path)
    let missing = try await session.call(
      5, "segment", TrainingRequests.segment(model: path, images: [trained.image], outputDir: folder.file("out5")))
    #expect(missing.code == -32001, "\(missing)")
    #expect(await session.finish())
  }
}
