import Foundation
import JSONRPC
import Testing

/// Every request answered exactly once with its id; end of input finishes what was received;
/// `shutdown` cancels what runs; progress is rate-limited but always reports the end.
@Suite("Request lifecycle")
struct RequestLifecycleTests {
  @Test("A mixed session sent at once, then end of input: every request answered once, in queue order")
  func everyRequestAnsweredOnceThenEOF() async throws {
    let folder = TestFolder("lifecycle")
    let image = folder.file("nuclei_1_0.tif")
    let labels = folder.file("nuclei_1_0_labels.tif")
    let model = folder.file("m.unet")
    let out = folder.file("out")
    let requests: [(id: JSONValue, method: String, params: JSONValue?)] = [
      (1, "initialize", nil),
      ("gen", "generate", ["kind": "nuclei", "output_dir": .string(folder.path), "width": 48, "height": 48]),
      (3, "no_such_method", nil),
      ("s", "status", nil),
      (4, "train", ["images": [.string(image)]]),
      (5, "train", TrainingRequests.train(image: image, labels: labels, modelOut: model, iterations: 3)),
      (6, "segment", TrainingRequests.segment(model: model, images: [image], outputDir: out)),
      (7, "evaluate", ["prediction": .string(labels), "truth": .string(labels)]),
      (8, "weight_map", ["labels": .string(labels), "output": .string(folder.file("w.tif"))]),
      (9, "cancel", ["request": 12345]),
      (10, "model_info", ["model": .string(folder.file("none.unet"))]),
      (-1, "status", nil),
    ]
    let session = WorkerSession()
    var text = ""
    for request in requests {
      text += WorkerSession.line(id: request.id, method: request.method, params: request.params) + "\n"
    }
    // Notifications, even of long methods with valid params, are never run nor answered.
    let notified = folder.file("notified")
    text += WorkerSession.line(id: nil, method: "generate", params: ["kind": "nuclei", "output_dir": .string(notified)]) + "\n"
    text += WorkerSession.line(id: nil, method: "cancel", params: ["request": 5]) + "\n"
    session.transport.feed(text)
    #expect(await session.finish(timeout: .seconds(60)), "the worker did not exit after end of input")

    let replies = session.replies
    #expect(replies.count == requests.count, "\(replies)")
    for request in requests {
      let answers = replies.filter { $0.id == request.id }
      #expect(answers.count == 1, "id \(request.id): \(answers)")
    }
    func reply(_ id: JSONValue) -> Reply? { replies.first { $0.id == id } }
    #expect(reply(3)?.code == -32601)
    #expect(reply(4)?.code == -32602)
    #expect(reply(9)?.result == ["cancelled": false])
    #expect(reply(10)?.code == -32001)
    for id: JSONValue in ["gen", 5, 6, 7, 8] {
      #expect(reply(id)?.result != nil, "\(reply(id).map(String.init(describing:)) ?? "no answer")")
    }
    #expect(reply(7)?.result?["fg_iou"] == 1.0)
    #expect(reply(6)?.result?["outputs"]?[0]?["image"] == .string(image))
    // Long requests run one at a time in arrival order, so they answer in that order.
    let longOrder = replies.compactMap(\.id).filter { ["gen", 5, 6, 7, 8].contains($0) }
    #expect(longOrder == ["gen", 5, 6, 7, 8])
    #expect(!FileManager.default.fileExists(atPath: notified))
    // Progress only for the long requests, and each one's last progress reports its end.
    let progressIDs = Set(session.notifications("progress").compactMap { $0["params"]?["request"]?.serialized() })
    #expect(progressIDs == Set(["\"gen\"", "5", "6", "7", "8"]))
    for id: JSONValue in ["gen", 5, 6, 7, 8] {
      let last = session.progress(of: id).last?["params"]
      #expect(last?["done"] != nil && last?["done"] == last?["total"], "\(id): \(String(describing: last))")
    }
    // Nothing about a request is written after its response.
    let messages = session.messages
    for id: JSONValue in ["gen", 5, 6, 7, 8] {
      let answered = messages.firstIndex { Reply($0)?.id == id } ?? -1
      let lastProgress = messages.lastIndex { $0["params"]?["request"] == id } ?? Int.max
      #expect(lastProgress < answered, "progress of \(id) after its response")
    }
    #expect(folder.temporaryNames.isEmpty, "\(folder.names)")
  }

  @Test("shutdown cancels the running and the queued request (-32800 each), answers {} last, then stops reading")
  func shutdownCancelsEverything() async throws {
    let folder = TestFolder("shutdown")
    let session = WorkerSession()
    _ = try await session.startLongTraining(in: folder)
    let before = folder.names
    session.send(id: "queued", method: "generate", params: ["kind": "cells", "output_dir": .string(folder.path)])
    session.transport.feed(
      WorkerSession.line(id: "bye", method: "shutdown") + "\n" + WorkerSession.line(id: "late", method: "initialize") + "\n")
    #expect(await session.waitForExit(timeout: .seconds(10)), "the worker did not stop after shutdown")
    let replies = session.replies.filter { $0.id != "generate-1" }
    #expect(replies.map(\.id) == ["long", "queued", "bye"], "\(replies)")
    #expect(replies.map(\.code) == [-32800, -32800, nil])
    #expect(replies.last?.result == [:])
    #expect(folder.names == before, "cancelled requests must leave nothing behind")
  }

  @Test("Progress: first and last always sent, at most about 10 per second, with loss and eta_s in training",
    .disabled(if: builtWithSanitizer, "sanitizers change memory and speed"))
  func progressRate() async throws {
    let folder = TestFolder("progress")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder)
    let start = ContinuousClock.now
    let reply = try await session.call(
      "t", "train",
      TrainingRequests.train(image: image, labels: labels, modelOut: folder.file("m.unet"), iterations: 300))
    let elapsed = ContinuousClock.now - start
    #expect(reply.result?["iterations"] == 300, "\(reply)")
    #expect(reply.result?["total_iterations"] == 300)
    let training = session.progress(of: "t").compactMap { $0["params"] }.filter { $0["stage"] == "train" }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    #expect(training.count >= 2)
    #expect(Double(training.count) <= seconds * 10 + 2, "\(training.count) progress lines in \(seconds) s")
    // The request's first progress (loading) is sent at once; later ones are rate-limited
    // across stages, so the first training report may come a few iterations in.
    #expect(session.progress(of: "t").first?["params"]?["stage"] == "load")
    #expect(training.last?["done"] == 300 && training.last?["total"] == 300)
    let done = training.compactMap { $0["done"]?.int64Value }
    #expect(done == done.sorted(), "done never goes back")
    for params in training {
      #expect(params["loss"]?.doubleValue.map { $0.isFinite && $0 > 0 } == true, "\(params)")
      #expect(params["eta_s"]?.doubleValue.map { $0 >= 0 } == true, "\(params)")
    }
  }
}
