import Foundation
import JSONRPC
import Testing

/// `config.lr_schedule` "auto" (the default): cosine annealing over a `max_seconds` budget,
/// the paper's constant rate over an iteration budget; explicit choices win.
@Suite("Learning-rate schedule choice")
struct LearningRateScheduleChoiceTests {
  @Test("auto resolves by budget, explicit schedules are kept, unknown ones are -32602")
  func autoResolvesByBudget() async throws {
    let folder = TestFolder("schedule")
    let session = WorkerSession(threads: 1)
    let (image, labels) = try await session.generateNuclei(in: folder)
    func schedule(
      _ id: Int, iterations: Int?, maxSeconds: Double?, config: JSONObject = [:]
    ) async throws -> JSONValue? {
      let reply = try await session.call(
        .int(Int64(id)), "train",
        TrainingRequests.train(
          image: image, labels: labels, modelOut: folder.file("m\(id).unet"), iterations: iterations,
          maxSeconds: maxSeconds, config: config))
      return reply.result?["lr_schedule"] ?? reply.error?["code"]
    }
    #expect(try await schedule(1, iterations: 3, maxSeconds: nil) == "constant")
    #expect(try await schedule(2, iterations: 3, maxSeconds: 60) == "cosine")
    #expect(try await schedule(3, iterations: 3, maxSeconds: 60, config: ["lr_schedule": "constant"]) == "constant")
    #expect(try await schedule(4, iterations: 3, maxSeconds: nil, config: ["lr_schedule": "cosine"]) == "cosine")
    #expect(try await schedule(5, iterations: 3, maxSeconds: nil, config: ["lr_schedule": "auto"]) == "constant")
    #expect(try await schedule(6, iterations: 3, maxSeconds: nil, config: ["lr_schedule": "linear"]) == .int(-32602))
    #expect(await session.finish())
  }
}
