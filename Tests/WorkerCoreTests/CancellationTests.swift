import Foundation
import JSONRPC
import Testing

/// `status`, `initialize` and `cancel` during long work; a cancelled request answers -32800
/// soon and leaves no partial output.
@Suite("Cancellation and prompt answers")
struct CancellationTests {
  /// Sends a request and measures how long its answer takes.
  static func timedCall(_ session: WorkerSession, _ id: JSONValue, _ method: String, _ params: JSONValue? = nil)
    async throws -> (Reply, Duration)
  {
    let start = ContinuousClock.now
    let reply = try await session.call(id, method, params, timeout: .seconds(10))
    return (reply, ContinuousClock.now - start)
  }

  @Test("During training: status and initialize answer within a second; queued and running requests cancel")
  func promptAnswersAndCancellation() async throws {
    let folder = TestFolder("cancel-train")
    let session = WorkerSession()
    let (image, _) = try await session.startLongTraining(in: folder, atLeast: 2)
    let before = folder.names
    session.send(
      id: "later", method: "segment",
      params: TrainingRequests.segment(model: folder.file("m.unet"), images: [image], outputDir: folder.file("out")))

    let (initialize, initializeTime) = try await Self.timedCall(session, 1, "initialize")
    #expect(initialize.result?["name"] == "unet-worker")
    #expect(initializeTime < .seconds(1), "initialize took \(initializeTime) during training")
    let (status, statusTime) = try await Self.timedCall(session, 2, "status")
    #expect(statusTime < .seconds(1), "status took \(statusTime) during training")
    let listed = status.result?["requests"]?.arrayValue ?? []
    #expect(listed.count == 2, "\(status)")
    #expect(listed.first?["id"] == "long" && listed.first?["method"] == "train" && listed.first?["state"] == "running")
    #expect((listed.first?["done"]?.int64Value ?? 0) >= 2)
    #expect(listed.last?["id"] == "later" && listed.last?["state"] == "queued")

    // A request id already running or queued is refused; the running one is untouched.
    let duplicate = try await session.call("long", "generate", ["kind": "nuclei", "output_dir": .string(folder.path)])
    #expect(duplicate.code == -32600, "\(duplicate)")

    let (cancelQueued, _) = try await Self.timedCall(session, 3, "cancel", ["request": "later"])
    #expect(cancelQueued.result == ["cancelled": true])
    let (cancelRunning, _) = try await Self.timedCall(session, 4, "cancel", ["request": "long"])
    #expect(cancelRunning.result == ["cancelled": true])
    let cancelledAt = ContinuousClock.now
    let trainReply = try await session.waitFor("the cancelled train's answer", timeout: .seconds(10)) { session in
      session.replies.first { $0.id == "long" && $0.code != -32600 }
    }
    #expect(ContinuousClock.now - cancelledAt < .seconds(2), "cancelling took too long")
    #expect(trainReply.code == -32800, "\(trainReply)")
    let queuedReply = try await session.reply(to: "later", timeout: .seconds(10))
    #expect(queuedReply.code == -32800, "\(queuedReply)")

    let (after, _) = try await Self.timedCall(session, 5, "status")
    #expect(after.result == ["requests": []])
    let (again, _) = try await Self.timedCall(session, 6, "cancel", ["request": "long"])
    #expect(again.result == ["cancelled": false], "nothing left to cancel")
    #expect(await session.finish())
    #expect(session.replies.filter { $0.id == "long" }.map(\.code) == [-32600, -32800])
    #expect(session.replies.filter { $0.id == "later" }.count == 1)
    #expect(folder.names == before, "no model, output or temporary file may be left: \(folder.names)")
  }

  @Test("A cancelled queued request answers -32800 at once, not when the running one ends; its id is free again")
  func cancelQueuedWhileOtherRuns() async throws {
    let folder = TestFolder("cancel-queued")
    let session = WorkerSession()
    _ = try await session.startLongTraining(in: folder)
    let before = folder.names
    session.send(id: "queued", method: "generate", params: ["kind": "cells", "output_dir": .string(folder.path)])
    let (cancel, _) = try await Self.timedCall(session, 1, "cancel", ["request": "queued"])
    #expect(cancel.result == ["cancelled": true])
    let queued = try await session.reply(to: "queued", timeout: .seconds(2))
    #expect(queued.code == -32800, "\(queued)")
    let (status, _) = try await Self.timedCall(session, 2, "status")
    let listed = status.result?["requests"]?.arrayValue ?? []
    #expect(listed.map { $0["id"] } == ["long"], "the cancelled request is gone from status: \(status)")
    // The id may be used again; the new request runs after the training and is answered once.
    session.send(id: "queued", method: "status")
    _ = try await session.waitFor("the reused id's answer") { $0.replies.filter { $0.id == "queued" }.count == 2 ? true : nil }
    let (cancelLong, _) = try await Self.timedCall(session, 3, "cancel", ["request": "long"])
    #expect(cancelLong.result == ["cancelled": true])
    #expect(try await session.reply(to: "long", timeout: .seconds(10)).code == -32800)
    #expect(await session.finish())
    #expect(session.replies.filter { $0.id == "queued" }.map(\.code) == [-32800, nil])
    #expect(session.replies.filter { $0.id == "long" }.count == 1)
    #expect(folder.names == before, "the cancelled generate wrote nothing: \(folder.names)")
  }

  @Test("Cancelling a running segment answers -32800 between tiles and writes no output")
  func cancelSegment() async throws {
    let folder = TestFolder("cancel-segment")
    let session = WorkerSession()
    let (image, labels) = try await session.generateNuclei(in: folder)
    let model = try await session.trainTinyModel(image: image, labels: labels, modelOut: folder.file("m.unet"), iterations: 2)
    // 512×512 in 44-pixel tiles with test-time augmentation: about 144 × 8 network passes.
    let size = 512
    let pixels = (0..<(size * size)).map { Float(($0 * 7919) % 1000) / 1000 }
    try folder.writeFloatImage(pixels, width: size, height: size, to: "big.tif")
    let out = folder.file("out")
    session.send(
      id: "seg", method: "segment",
      params: TrainingRequests.segment(
        model: model, images: [folder.file("big.tif")], outputDir: out, extra: ["tile_size": 44, "tta": true]))
    try await session.waitForProgress(of: "seg", stage: "segment", atLeast: 1)
    let (cancel, _) = try await Self.timedCall(session, "c", "cancel", ["request": "seg"])
    #expect(cancel.result == ["cancelled": true])
    let cancelledAt = ContinuousClock.now
    let reply = try await session.reply(to: "seg", timeout: .seconds(10))
    #expect(reply.code == -32800, "\(reply)")
    #expect(ContinuousClock.now - cancelledAt < .seconds(2))
    let progress = session.progress(of: "seg").compactMap { $0["params"] }
    let total = progress.last?["total"]?.int64Value ?? 0
    #expect(total >= 144 && (progress.last?["done"]?.int64Value ?? total) < total, "cancelled before the last tile")
    let written = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
    #expect(written.isEmpty, "a cancelled segment must not leave files: \(written)")
    #expect(folder.temporaryNames.isEmpty)
    #expect(await session.finish())
  }
}
