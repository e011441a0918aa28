import Foundation
import JSONRPC
import Testing

/// A tiny U-Net trained once per test run, through the worker, on a 128×128 synthetic nuclei
/// image; the segmentation tests share it. Its folder is removed when the test process exits.
struct TrainedNucleiModel: Sendable {
  /// Training iterations: enough for a foreground IoU near 0.9 on this image (measured 0.89
  /// to 0.91 for 100 to 300 iterations; an untrained network scores about 0.03).
  static let iterations = 300

  let folder: String
  let image: String
  let labels: String
  let model: String

  /// `<folder>/<name>`.
  func file(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

  /// The shared model, trained on first use.
  static var shared: TrainedNucleiModel {
    get async throws { try await training.value }
  }

  private static let training = Task { try await train() }

  private static let folderPath = (NSTemporaryDirectory() as NSString)
    .appendingPathComponent("unet-worker-tests-trained-\(ProcessInfo.processInfo.processIdentifier)")

  private static func train() async throws -> TrainedNucleiModel {
    try? FileManager.default.removeItem(atPath: folderPath)
    try FileManager.default.createDirectory(atPath: folderPath, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: TrainedNucleiModel.folderPath) }
    let session = WorkerSession(threads: 2)
    let generated = try await session.call(
      "generate", "generate",
      ["kind": "nuclei", "output_dir": .string(folderPath), "width": 128, "height": 128, "seed": 3])
    let image = try #require(generated.result?["images"]?[0]?.stringValue, "\(generated)")
    let labels = try #require(generated.result?["labels"]?[0]?.stringValue, "\(generated)")
    let model = (folderPath as NSString).appendingPathComponent("nuclei.unet")
    let trained = try await session.call(
      "train", "train",
      TrainingRequests.train(image: image, labels: labels, modelOut: model, iterations: iterations))
    try #require(trained.result?["model"] == .string(model), "\(trained)")
    _ = await session.finish()
    return TrainedNucleiModel(folder: folderPath, image: image, labels: labels, model: model)
  }
}
