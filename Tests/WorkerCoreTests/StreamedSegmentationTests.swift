import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// `segment` of one image larger than memory, band by band (issue 16): on a tiled BigTIFF
/// mosaic of synthetic nuclei, the streamed outputs equal the in-memory ones exactly; a cancel
/// leaves nothing; and the worker's peak memory does not grow with the image's height.
@Suite("Segment one image band by band")
struct StreamedSegmentationTests {
  /// A `columns` × `rows` mosaic of the trained model's 128² image (every other copy mirrored,
  /// so objects run across copies), as uint16 in a tiled BigTIFF with tiles of 64.
  static func mosaic(_ trained: TrainedNucleiModel, columns: Int, rows: Int, to path: String) throws {
    let source = try PlainImage.read(trained.image)
    let low = source.pixels.min() ?? 0
    let high = source.pixels.max() ?? 1
    let width = source.width * columns
    let height = source.height * rows
    try TIFFTiledWriter.write(path: path, width: width, height: height, sampleType: .uint16, tileSize: 64) { band in
      var values: [UInt16] = []
      values.reserveCapacity(band.count * width)
      for y in band {
        let copyRow = y / source.height
        var sy = y % source.height
        if copyRow % 2 == 1 { sy = source.height - 1 - sy }
        for x in 0..<width {
          var sx = x % source.width
          if (x / source.width) % 2 == 1 { sx = source.width - 1 - sx }
          values.append(UInt16((source.at(sx, sy) - low) / max(high - low, 1e-6) * 4000))
        }
      }
      return .uint16(values)
    }
  }

  @Test(
    "Streamed probabilities, masks and instances equal the in-memory ones",
    arguments: [
      ["tile_size": 44] as JSONObject,
      ["tile_size": 44, "growth_threshold": 0.2, "min_object_area": 30],
      ["tile_size": 60, "grow_instances": false, "min_object_area": 12],
    ])
  func streamedEqualsInMemory(options: JSONObject) async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("streamed-equal")
    let input = folder.file("mosaic.tif")
    try Self.mosaic(trained, columns: 3, rows: 4, to: input)
    #expect(try TIFFReader.readInfo(path: input).isBigTIFF)

    let session = WorkerSession(threads: 2)
    var streamed = options
    streamed["stream"] = true
    var inMemory = options
    inMemory["stream"] = false
    let fromBands = try await SegmentWithTrainedModelTests.segment(
      session, 1, model: trained.model, images: [input], outputDir: folder.file("bands"), extra: streamed)
    let whole = try await SegmentWithTrainedModelTests.segment(
      session, 2, model: trained.model, images: [input], outputDir: folder.file("whole"), extra: inMemory)
    let bandEntry = try #require(fromBands["outputs"]?[0])
    let wholeEntry = try #require(whole["outputs"]?[0])
    let bands = try #require(bandEntry["bands"]?.int64Value)
    #expect(bands >= 5, "\(bandEntry)")
    #expect(bandEntry["approximate_bands"]?.int64Value == 0, "\(bandEntry)")
    #expect(wholeEntry["bands"] == nil)
    #expect(bandEntry["objects"] == wholeEntry["objects"], "\(bandEntry) \(wholeEntry)")
    #expect((bandEntry["objects"]?.int64Value ?? 0) >= 20)
    for kind in ["probabilities", "mask", "instances"] {
      let a = try TIFFReader.read(path: try #require(bandEntry[kind]?.stringValue))
      let b = try TIFFReader.read(path: try #require(wholeEntry[kind]?.stringValue))
      #expect(a.images.count == 1 && a.images[0].sampleType == b.images[0].sampleType, "\(kind)")
      // The same tiles see the same input bits: equal exactly, not just to rounding.
      #expect(a.images[0].samples == b.images[0].samples, "\(kind) differs")
    }
    // Progress is thinned to about 10 a second, so not every band need show.
    let progress = session.progress(of: 1)
    #expect(progress.contains { $0["params"]?["bands"]?.int64Value == bands && ($0["params"]?["band"]?.int64Value ?? 0) >= 1 })
    // The first report (always sent) is the histogram pass's; the instance passes report last.
    #expect(progress.first?["params"]?["pass"] == "histogram", "\(progress.first.map { $0.serialized() } ?? "none")")
    #expect(progress.last?["params"]?["pass"] == "instances", "\(progress.last.map { $0.serialized() } ?? "none")")
    let done = progress.compactMap { $0["params"]?["done"]?.int64Value }
    #expect(done == done.sorted(), "progress went backwards: \(done)")
    #expect(await session.finish())
  }

  @Test("Streamed mask and class map alone (no instances, no scratch files) equal the in-memory ones")
  func maskAndClassesOnly() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("streamed-mask-classes")
    let input = folder.file("mosaic.tif")
    try Self.mosaic(trained, columns: 2, rows: 3, to: input)
    let session = WorkerSession(threads: 2)
    var entries: [JSONValue] = []
    for (id, stream) in [(1, true), (2, false)] {
      let result = try await SegmentWithTrainedModelTests.segment(
        session, .int(Int64(id)), model: trained.model, images: [input], outputDir: folder.file("out\(id)"),
        extra: ["tile_size": 44, "stream": .bool(stream), "outputs": ["mask", "classes"]])
      entries.append(try #require(result["outputs"]?[0]))
    }
    #expect(entries[0]["bands"] != nil && entries[0]["approximate_bands"] == nil && entries[0]["objects"] == nil)
    for kind in ["mask", "classes"] {
      let a = try TIFFReader.read(path: try #require(entries[0][kind]?.stringValue))
      let b = try TIFFReader.read(path: try #require(entries[1][kind]?.stringValue))
      #expect(a.images[0].samples == b.images[0].samples, "\(kind) differs")
    }
    #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.file("out1")))?.sorted()
      == ["mosaic_classes.tif", "mosaic_mask.tif"])
    #expect(await session.finish())
  }

  @Test("Cancelling a streamed image leaves no output, temporary or scratch file")
  func cancelStreamed() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("streamed-cancel")
    let input = folder.file("mosaic.tif")
    try Self.mosaic(trained, columns: 4, rows: 4, to: input)
    let out = folder.file("out")
    let session = WorkerSession(threads: 2)
    session.send(
      id: "seg", method: "segment",
      params: TrainingRequests.segment(
        model: trained.model, images: [input], outputDir: out, extra: ["tile_size": 44, "tta": true, "stream": true]))
    try await session.waitForProgress(of: "seg", stage: "segment", atLeast: 20)
    let cancel = try await session.call("c", "cancel", ["request": "seg"])
    #expect(cancel.result == ["cancelled": true], "\(cancel)")
    let reply = try await session.reply(to: "seg", timeout: .seconds(20))
    #expect(reply.code == -32800, "\(reply)")
    let written = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
    #expect(written.isEmpty, "a cancelled image must leave no files: \(written)")
    #expect(await session.finish())
  }

  @Test("stream: true on an image that cannot be streamed is invalid params naming the reason")
  func refusesWhatCannotStream() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("streamed-refused")
    let session = WorkerSession(threads: 1)
    // The trained model's image is float32: its percentiles need every value.
    let reply = try await session.call(
      1, "segment",
      TrainingRequests.segment(
        model: trained.model, images: [trained.image], outputDir: folder.file("out"), extra: ["stream": true]))
    #expect(reply.code == -32602, "\(reply)")
    #expect(reply.error?["message"]?.stringValue?.contains("float32 samples are not streamed") == true, "\(reply)")
    #expect(await session.finish())
  }

  @Test("Peak resident memory of a streamed image does not grow with its height",
    .disabled(if: builtWithSanitizer, "sanitizers change memory and speed"))
  func memoryDoesNotGrowWithHeight() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("streamed-memory")
    let worker = try #require(ChildWorker.productBinary, "the unet-worker product next to the test binary")
    var peaks: [Int: Double] = [:]
    for rows in [4, 32] {
      let path = folder.file("mosaic\(rows).tif")
      try Self.mosaic(trained, columns: 8, rows: rows, to: path)
      let request = TrainingRequests.segment(
        model: trained.model, images: [path], outputDir: folder.file("out\(rows)"),
        extra: ["stream": true, "tile_size": 124])
      let run = try await ChildWorker.peakResidentMiB(worker, segment: request)
      #expect(run.reply.contains("\"result\""), "\(run.reply)")
      peaks[rows] = run.peakMiB
    }
    // 1024×512 and 1024×4096 pixels with one tile size (without one, the default tile grows
    // with the image up to the memory budget): in memory the larger one needs about 100 MiB
    // more (input, normalised copy, probabilities, mask, labels, growth state of 4 M pixels).
    let growth = (peaks[32] ?? 0) - (peaks[4] ?? 0)
    #expect(growth < 20, "peak resident memory \(peaks[4] ?? 0) MiB for 1024×512, \(peaks[32] ?? 0) MiB for 1024×4096")
  }
}
