import Foundation
import JSONRPC
import Testing

/// `train` chooses the instance post-processing of its model on labelled images (here the
/// training image itself: no validation set); `segment` uses it unless the request overrides it.
@Suite("Post-processing calibrated at training")
struct PostProcessingCalibrationTests {
  @Test("The chosen growth and minimum area score best among all candidates; segment uses them")
  func chosenCandidateIsTheBest() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("calibration")
    let session = WorkerSession(threads: 2)
    let info = try #require(try await session.call(1, "model_info", ["model": .string(trained.model)]).result)
    let chosen = try #require(info["post_processing"], "\(info)")
    #expect(chosen["calibrated_on"] == "training")
    let growth = try #require(chosen["growth_threshold"]?.doubleValue)
    let area = try #require(chosen["min_object_area"]?.int64Value)
    let score = try #require(chosen["score"]?.doubleValue)
    let defaultScore = try #require(chosen["default_score"]?.doubleValue)
    #expect(score >= defaultScore, "the defaults are among the candidates")
    let smallObjectArea = try #require(info["training"]?["small_object_area"]?.int64Value)
    #expect(smallObjectArea > 0)

    /// The calibration's score of one candidate, computed through segment + evaluate.
    func scoreOf(growth: Double, area: Int64, id: Int) async throws -> Double {
      let result = try await SegmentWithTrainedModelTests.segment(
        session, .int(Int64(id)), model: trained.model, images: [trained.image], outputDir: folder.file("out\(id)"),
        extra: ["outputs": ["instances"], "growth_threshold": .double(growth), "min_object_area": .int(area)])
      let instances = try #require(result["outputs"]?[0]?["instances"]?.stringValue)
      let m = try #require(
        try await session.call(
          .int(Int64(1000 + id)), "evaluate", ["prediction": .string(instances), "truth": .string(trained.labels)]
        ).result)
      let (iou, seg, f1) = (m["fg_iou"]?.doubleValue ?? -1, m["seg"]?.doubleValue ?? -1, m["f1_50"]?.doubleValue ?? -1)
      return (iou + seg + f1) / 3
    }
    var best = -Double.infinity
    var id = 10
    for candidateGrowth in [0.5, 0.4, 0.3, 0.2, 0.1] {
      for multiple in [0.0, 0.5, 1, 2, 4] {
        id += 1
        let candidateArea = Int64((multiple * Double(smallObjectArea)).rounded(.down))
        best = max(best, try await scoreOf(growth: candidateGrowth, area: candidateArea, id: id))
      }
    }
    let reproduced = try await scoreOf(growth: growth, area: area, id: 99)
    #expect(abs(reproduced - score) < 1e-6, "segment reproduces the calibration's score")
    #expect(reproduced >= best - 1e-6, "chosen \(reproduced), best candidate \(best)")

    // Without the options, segment uses the model's; given ones win.
    let plain = try await SegmentWithTrainedModelTests.segment(
      session, 200, model: trained.model, images: [trained.image], outputDir: folder.file("plain"),
      extra: ["outputs": ["instances"]])
    #expect(abs((plain["growth_threshold"]?.doubleValue ?? -1) - growth) < 1e-6)
    #expect(plain["min_object_area"]?.int64Value == area)
    let given = try await SegmentWithTrainedModelTests.segment(
      session, 201, model: trained.model, images: [trained.image], outputDir: folder.file("given"),
      extra: ["outputs": ["instances"], "growth_threshold": 0.45, "min_object_area": 7])
    #expect(given["growth_threshold"]?.doubleValue == 0.45 && given["min_object_area"]?.int64Value == 7)
    #expect(await session.finish())
  }
}
