import Foundation
import JSONRPC
import Testing

/// `train` with a validation set: a `validate` progress notification every `validate_every`
/// iterations and at the end, `best` marking each new lowest validation loss, and with
/// `keep_best` the model of the lowest loss in `model_out`, its scores in the result and in
/// `model_info`.
@Suite("Training: validation and keep_best")
struct TrainingValidationTests {
  struct Validation {
    let done: Int
    let loss: Double
    let foregroundIoU: Double
    let f1: Double
    let best: Bool
  }

  static func validations(_ session: WorkerSession, of id: JSONValue) throws -> [Validation] {
    try session.progress(of: id).compactMap { $0["params"] }.filter { $0["stage"] == "validate" }.map { params in
      Validation(
        done: Int(try #require(params["done"]?.int64Value)),
        loss: try #require(params["validation_loss"]?.doubleValue),
        foregroundIoU: try #require(params["validation_fg_iou"]?.doubleValue),
        f1: try #require(params["validation_f1_50"]?.doubleValue),
        best: params["best"] == .bool(true))
    }
  }

  static func request(image: String, labels: String, validation: (String, String), modelOut: String, keepBest: Bool) -> JSONValue {
    guard case .object(var params) = TrainingRequests.train(
      image: image, labels: labels, modelOut: modelOut, iterations: 23,
      // A step size so large that the validation loss jumps about: the best is not the last.
      config: ["validate_every": 5, "keep_best": .bool(keepBest), "learning_rate": 0.05])
    else { return .null }
    params["validation"] = ["images": [.string(validation.0)], "labels": [.string(validation.1)]]
    return .object(params)
  }

  @Test("Validations every validate_every iterations and at the end; keep_best keeps the lowest validation loss")
  func keepBestKeepsTheLowestValidationLoss() async throws {
    let folder = TestFolder("validation")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder, seed: 1)
    let validation = try await session.generateNuclei(in: folder, seed: 2)
    let reply = try await session.call(
      1, "train",
      Self.request(image: image, labels: labels, validation: validation, modelOut: folder.file("best.unet"), keepBest: true))
    let result = try #require(reply.result, "\(reply)")
    let seen = try Self.validations(session, of: 1)
    #expect(seen.map(\.done) == [5, 10, 15, 20, 23])
    var lowest = Double.infinity
    for validation in seen {
      #expect(validation.best == (validation.loss < lowest), "best flags the running minimum at \(validation.done)")
      lowest = min(lowest, validation.loss)
      #expect((0...1).contains(validation.foregroundIoU) && (0...1).contains(validation.f1))
    }
    let best = try #require(seen.min { $0.loss < $1.loss })
    #expect(best.done != 23, "the best model is not the last one, so keep_best matters")
    #expect(result["best_validation_loss"]?.doubleValue == best.loss)
    #expect(result["validation_fg_iou"]?.doubleValue == best.foregroundIoU)
    #expect(result["model_iterations"]?.int64Value == Int64(best.done))
    #expect(result["iterations"] == 23 && result["total_iterations"] == 23)

    let info = try await session.call(2, "model_info", ["model": folder.json("best.unet")])
    #expect(info.result?["training"]?["iterations"]?.int64Value == Int64(best.done))
    #expect(info.result?["training"]?["validation"]?["loss"]?.doubleValue == best.loss)

    // Without keep_best the last model is written, with the last validation's scores.
    let last = try await session.call(
      3, "train",
      Self.request(image: image, labels: labels, validation: validation, modelOut: folder.file("last.unet"), keepBest: false))
    let lastValidation = try #require(try Self.validations(session, of: 3).last)
    #expect(last.result?["model_iterations"] == 23)
    #expect(last.result?["best_validation_loss"]?.doubleValue == lastValidation.loss)
    #expect(try Self.validations(session, of: 3).map(\.loss) == seen.map(\.loss), "same seed, same training")
    #expect(await session.finish())
  }

  @Test("A validation image with another channel count than the training images is -32003")
  func validationChannelsMustMatch() async throws {
    let folder = TestFolder("validation-channels")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder, seed: 1)
    // 64x64 like the generated image, with two channels.
    try folder.writeFloatImage(
      (0..<(2 * 64 * 64)).map { Float($0 % 97) / 97 }, width: 64, height: 64, channels: 2, to: "two.tif")
    let rgb = folder.file("two.tif")
    let reply = try await session.call(
      1, "train",
      Self.request(image: image, labels: labels, validation: (rgb, labels), modelOut: folder.file("m.unet"), keepBest: true))
    #expect(reply.code == -32003, "\(reply)")
    #expect(!FileManager.default.fileExists(atPath: folder.file("m.unet")))
    #expect(await session.finish())
  }
}
