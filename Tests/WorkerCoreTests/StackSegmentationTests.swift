import Dispatch
import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// `segment` on stacks works one page at a time (issue 5): every output page is the page
/// segmented alone, a cancelled stack leaves nothing behind, and the worker's peak memory does
/// not grow with the number of pages.
@Suite("Segment stacks page by page")
struct StackSegmentationTests {
  @Test("Every output page of a 3-page stack equals that page segmented alone")
  func pagesAsIfAlone() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("stack-pages")
    let upright = try PlainImage.read(trained.image)
    let pages = [upright, upright.rotated90(), upright.rotated90().rotated90()]
    let calibration = TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.5, unit: "µm", spacing: 2)
    try TIFFWriter.write(
      pages.map { TIFFImage(width: $0.width, height: $0.height, samples: .float32($0.pixels)) },
      to: folder.file("stack.tif"), calibration: calibration)
    for (index, page) in pages.enumerated() { try page.write(to: folder.file("page\(index).tif")) }

    let session = WorkerSession(threads: 2)
    let options: JSONObject = ["tile_size": 44]
    let stack = try await SegmentWithTrainedModelTests.segment(
      session, 1, model: trained.model, images: [folder.file("stack.tif")], outputDir: folder.file("stack-out"),
      extra: options)
    let singles = try await SegmentWithTrainedModelTests.segment(
      session, 2, model: trained.model, images: (0..<3).map { folder.file("page\($0).tif") },
      outputDir: folder.file("single-out"), extra: options)
    let stackEntry = try #require(stack["outputs"]?[0])
    let singleEntries = try (0..<3).map { try #require(singles["outputs"]?[$0]) }

    for (kind, type) in [("probabilities", TIFFSampleType.float32), ("mask", .uint8), ("instances", .uint16)] {
      let stackPath = try #require(stackEntry[kind]?.stringValue)
      let read = try TIFFReader.read(path: stackPath)
      #expect(read.images.count == 3 && read.images.allSatisfy { $0.sampleType == type }, "\(kind)")
      #expect(read.calibration == calibration, "\(kind)")
      #expect(read.hyperstack == TIFFHyperstack(channels: 1, slices: 3, frames: 1), "\(kind)")
      for page in 0..<3 {
        let alone = try PlainImage.read(try #require(singleEntries[page][kind]?.stringValue))
        let fromStack = try PlainImage.read(stackPath, page: page)
        // Probabilities to float rounding of the tile arithmetic; masks and labels derive
        // from them and must agree exactly.
        let tolerance: Float = kind == "probabilities" ? 1e-6 : 0
        #expect(fromStack.maxAbsDifference(alone) <= tolerance, "\(kind) page \(page)")
      }
    }
    let objects = try (0..<3).map { try #require(singleEntries[$0]["objects"]?.int64Value) }
    #expect(stackEntry["objects"]?.int64Value == objects.reduce(0, +))
    #expect(objects.allSatisfy { $0 >= 5 })
    #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.file("stack-out")))?.sorted()
      == ["stack_instances.tif", "stack_mask.tif", "stack_probabilities.tif"])
    #expect(await session.finish())
  }

  @Test("Cancelling in the middle of a stack leaves no output and no temporary file")
  func cancelMidStack() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("stack-cancel")
    let size = 512
    let page = TIFFImage(width: size, height: size, samples: .float32((0..<(size * size)).map { Float(($0 * 7919) % 1000) / 1000 }))
    try TIFFWriter.write([page, page], to: folder.file("stack.tif"))
    let out = folder.file("out")
    let session = WorkerSession(threads: 2)
    // 144 tiles of 44 pixels per page, 8 network passes each with test-time augmentation.
    session.send(
      id: "seg", method: "segment",
      params: TrainingRequests.segment(
        model: trained.model, images: [folder.file("stack.tif")], outputDir: out, extra: ["tile_size": 44, "tta": true]))
    try await session.waitForProgress(of: "seg", stage: "segment", atLeast: 146)
    let cancel = try await session.call("c", "cancel", ["request": "seg"])
    #expect(cancel.result == ["cancelled": true], "\(cancel)")
    let reply = try await session.reply(to: "seg", timeout: .seconds(20))
    #expect(reply.code == -32800, "\(reply)")
    let written = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
    #expect(written.isEmpty, "a cancelled stack must leave no files: \(written)")
    #expect(await session.finish())
  }

  @Test("Peak resident memory of a fresh worker does not grow with the pages of a stack",
    .disabled(if: builtWithSanitizer, "sanitizers change memory and speed"))
  func memoryDoesNotGrowWithPages() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("stack-memory")
    let worker = try #require(ChildWorker.productBinary, "the unet-worker product next to the test binary")
    let size = 512
    var peaks: [Int: Double] = [:]
    for pages in [3, 24] {
      let images = (0..<pages).map { index in
        TIFFImage(width: size, height: size,
                  samples: .float32((0..<(size * size)).map { Float(($0 &* 7919 &+ index &* 104_729) % 1000) / 1000 }))
      }
      let path = folder.file("stack\(pages).tif")
      try TIFFWriter.write(images, to: path)
      let request = TrainingRequests.segment(model: trained.model, images: [path], outputDir: folder.file("out\(pages)"))
      let run = try await ChildWorker.peakResidentMiB(worker, segment: request)
      #expect(run.reply.contains("\"result\""), "\(run.reply)")
      peaks[pages] = run.peakMiB
    }
    // Keeping the pages (input, probabilities, mask, labels: about 5 MiB per 512×512 page)
    // grew the peak by 82 MiB from 3 to 24 pages; page by page it grows by allocator noise.
    let growth = (peaks[24] ?? 0) - (peaks[3] ?? 0)
    #expect(growth < 30, "peak resident memory \(peaks[3] ?? 0) MiB for 3 pages, \(peaks[24] ?? 0) MiB for 24")
  }
}

/// The product's worker binary as a child process, for measurements a worker in the test
/// process cannot give (its peak memory is the whole test run's).
enum ChildWorker {
  /// `unet-worker`, built beside the test binary.
  static var productBinary: String? {
    let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let path = folder.appendingPathComponent("unet-worker").path
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
  }

  /// Runs one `segment` request in a fresh worker; its reply line and the worker's peak
  /// resident memory (VmHWM) read just after the reply, before it exits.
  static func peakResidentMiB(_ binary: String, segment params: JSONValue) async throws -> (reply: String, peakMiB: Double) {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(with: Result { try run(binary, segment: params) })
      }
    }
  }

  private static func run(_ binary: String, segment params: JSONValue) throws -> (reply: String, peakMiB: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer {
      try? input.fileHandleForWriting.close()
      process.waitUntilExit()
    }
    let request = WorkerSession.line(id: "segment", method: "segment", params: params) + "\n"
    input.fileHandleForWriting.write(Data(request.utf8))
    var buffered = Data()
    while true {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { return ("worker exited without replying", 0) }
      buffered.append(chunk)
      let lines = String(decoding: buffered, as: UTF8.self).split(separator: "\n")
      if let reply = lines.first(where: { $0.contains("\"id\":\"segment\"") }) {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let peakKiB = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?
          .split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return (String(reply), peakKiB / 1024)
      }
    }
  }
}
