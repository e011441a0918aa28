import Foundation
import JSONRPC
import Testing

/// `train` safety: checkpoints replace `model_out` while training runs, `init_model` resumes
/// (the iteration count continues), and the budget options stop training where they should.
@Suite("Training: checkpoints, resume, budget")
struct TrainingResumeTests {
  /// The training history `model_info` reports for a model file.
  static func trainedIterations(_ session: WorkerSession, _ id: JSONValue, model: String) async throws -> Int {
    let info = try await session.call(id, "model_info", ["model": .string(model)])
    return Int(try #require(info.result?["training"]?["iterations"]?.int64Value, "\(info)"))
  }

  @Test("init_model resumes: the iteration count continues, the architecture is kept, the start model is untouched")
  func resumeContinuesIterationCount() async throws {
    let folder = TestFolder("resume")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder)
    let first = try await session.trainTinyModel(image: image, labels: labels, modelOut: folder.file("first.unet"), iterations: 30)
    #expect(try await Self.trainedIterations(session, 1, model: first) == 30)
    let original = folder.contents("first.unet")

    let resumed = try await session.call(
      2, "train",
      TrainingRequests.train(
        image: image, labels: labels, modelOut: folder.file("second.unet"), iterations: 20, initModel: first,
        config: ["base_channels": 16]))
    #expect(resumed.result?["iterations"] == 20, "\(resumed)")
    #expect(resumed.result?["total_iterations"] == 50, "\(resumed)")
    let info = try await session.call(3, "model_info", ["model": folder.json("second.unet")])
    #expect(info.result?["training"]?["iterations"] == 50)
    #expect(info.result?["base_channels"] == 8, "fine-tuning keeps the start model's architecture")
    #expect(info.result?["depth"] == 2)
    #expect(folder.contents("first.unet") == original, "init_model is read, never written")
    #expect(folder.temporaryNames.isEmpty)
    #expect(await session.finish())
  }

  @Test("Training 20 + resuming 20 iterations gives the model of 40 uninterrupted iterations")
  func resumeIsExact() async throws {
    let folder = TestFolder("resume-exact")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder)
    let straight = try await session.trainTinyModel(image: image, labels: labels, modelOut: folder.file("straight.unet"), iterations: 40)
    let again = try await session.trainTinyModel(image: image, labels: labels, modelOut: folder.file("again.unet"), iterations: 40)
    let half = try await session.trainTinyModel(image: image, labels: labels, modelOut: folder.file("half.unet"), iterations: 20)
    let resumed = try await session.call(
      1, "train",
      TrainingRequests.train(image: image, labels: labels, modelOut: folder.file("resumed.unet"), iterations: 20, initModel: half))
    #expect(resumed.result?["total_iterations"] == 40, "\(resumed)")
    var maps: [PlainImage] = []
    for (index, model) in [straight, folder.file("resumed.unet"), again].enumerated() {
      let reply = try await session.call(
        .string("segment-\(index)"), "segment",
        TrainingRequests.segment(
          model: model, images: [image], outputDir: folder.file("out\(index)"), extra: ["outputs": ["probabilities"]]))
      let path = try #require(reply.result?["outputs"]?[0]?["probabilities"]?.stringValue, "\(reply)")
      maps.append(try PlainImage.read(path))
    }
    // Control: with one thread, training is deterministic, so equal runs give equal models.
    #expect(maps[0].maxAbsDifference(maps[2]) <= 1e-5)
    // The model file stores the optimizer state and the random source; resuming restores both.
    #expect(maps[0].maxAbsDifference(maps[1]) <= 1e-5)
    #expect(await session.finish())
  }

  @Test("checkpoint_every replaces model_out with a loadable model while training runs; cancel keeps the last one")
  func checkpointsDuringTraining() async throws {
    let folder = TestFolder("checkpoints")
    let session = WorkerSession()
    _ = try await session.startLongTraining(in: folder, config: ["checkpoint_every": 10], atLeast: 25)
    let model = folder.file("m.unet")
    let early = try await Self.trainedIterations(session, 1, model: model)
    #expect(early >= 10 && early % 10 == 0, "checkpoint after \(early) iterations")
    try await session.waitForProgress(of: "long", stage: "train", atLeast: early + 25)
    let later = try await Self.trainedIterations(session, 2, model: model)
    #expect(later > early && later % 10 == 0, "checkpoints \(early), then \(later)")

    let cancel = try await session.call(3, "cancel", ["request": "long"])
    #expect(cancel.result == ["cancelled": true])
    let reply = try await session.reply(to: "long", timeout: .seconds(10))
    #expect(reply.code == -32800, "\(reply)")
    let last = try await Self.trainedIterations(session, 4, model: model)
    #expect(last >= later && last % 10 == 0, "the last checkpoint stays: \(last)")
    #expect(folder.temporaryNames.isEmpty, "\(folder.names)")
    #expect(await session.finish())
  }

  @Test("Budget: iterations and max_seconds together stop at the first; max_seconds alone stops in time",
    .disabled(if: builtWithSanitizer, "sanitizers change memory and speed"))
  func budget() async throws {
    let folder = TestFolder("budget")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder)
    let fewIterations = try await session.call(
      1, "train",
      TrainingRequests.train(image: image, labels: labels, modelOut: folder.file("a.unet"), iterations: 5, maxSeconds: 100))
    #expect(fewIterations.result?["iterations"] == 5, "\(fewIterations)")

    let start = ContinuousClock.now
    let timeLimited = try await session.call(
      2, "train", TrainingRequests.train(image: image, labels: labels, modelOut: folder.file("b.unet"), maxSeconds: 0.5))
    let elapsed = ContinuousClock.now - start
    let seconds = try #require(timeLimited.result?["seconds"]?.doubleValue, "\(timeLimited)")
    #expect(seconds >= 0.5 && seconds < 2, "trained for \(seconds) s")
    #expect(elapsed < .seconds(3))
    #expect((timeLimited.result?["iterations"]?.int64Value ?? 0) > 5)
    #expect(await session.finish())
  }
}
