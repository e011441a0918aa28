import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// `segment` with a model the worker trained (issue 5): a rotated copy is segmented correctly,
/// the result does not depend on the tile size, outputs have the documented types, and nothing
/// is left half-written or overwritten.
@Suite("Segment with a trained model")
struct SegmentWithTrainedModelTests {
  /// Segments `images` into `outputDir` and returns the result (failing on an error).
  static func segment(
    _ session: WorkerSession, _ id: JSONValue, model: String, images: [String], outputDir: String,
    extra: JSONObject = [:]
  ) async throws -> JSONValue {
    let reply = try await session.call(
      id, "segment", TrainingRequests.segment(model: model, images: images, outputDir: outputDir, extra: extra))
    return try #require(reply.result, "\(reply)")
  }

  @Test("A model trained on an image segments its 90° rotated copy (foreground IoU ≥ 0.8)")
  func rotatedCopy() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("rotated")
    let rotatedImage = try PlainImage.read(trained.image).rotated90()
    let rotatedTruth = try PlainImage.read(trained.labels).rotated90()
    try rotatedImage.write(to: folder.file("rotated.tif"))
    try rotatedTruth.write(to: folder.file("rotated_truth.tif"), asLabels: true)

    let session = WorkerSession(threads: 2)
    let result = try await Self.segment(
      session, 1, model: trained.model, images: [folder.file("rotated.tif")], outputDir: folder.file("out"))
    let maskPath = try #require(result["outputs"]?[0]?["mask"]?.stringValue)
    let mask = try PlainImage.read(maskPath)
    let iou = foregroundIoU(mask.foreground, rotatedTruth.foreground)
    #expect(iou >= 0.8, "foreground IoU \(iou) against the rotated truth")
    // The test can tell orientations apart: the unrotated truth does not match.
    let unrotated = try PlainImage.read(trained.labels)
    #expect(foregroundIoU(mask.foreground, unrotated.foreground) < 0.5)
    // `evaluate` agrees with the plain computation.
    let evaluated = try await session.call(
      2, "evaluate", ["prediction": .string(maskPath), "truth": .string(folder.file("rotated_truth.tif"))])
    let reported = try #require(evaluated.result?["fg_iou"]?.doubleValue, "\(evaluated)")
    #expect(abs(reported - iou) < 1e-9)
    #expect(await session.finish())
  }

  @Test("The probability map does not depend on the tile size (max difference ≤ 1e-4)")
  func tileSizeIndependence() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("tiles")
    // Odd, non-square, and not a multiple of any tile size.
    try PlainImage.read(trained.image).cropped(x: 5, y: 11, width: 101, height: 87).write(to: folder.file("crop.tif"))
    let session = WorkerSession(threads: 2)
    var maps: [(tile: Int, map: PlainImage)] = []
    for tile in [44, 100, 25] {
      let result = try await Self.segment(
        session, .int(Int64(tile)), model: trained.model, images: [folder.file("crop.tif")],
        outputDir: folder.file("out\(tile)"), extra: ["tile_size": .int(Int64(tile)), "outputs": ["probabilities"]])
      let used = try #require(result["tile_size"]?.int64Value)
      let path = try #require(result["outputs"]?[0]?["probabilities"]?.stringValue)
      maps.append((Int(used), try PlainImage.read(path)))
    }
    #expect(maps.map(\.tile) == [44, 100, 24], "requested sizes are rounded to legal ones")
    let reference = maps[1].map
    #expect(reference.width == 101 && reference.height == 87)
    let mean = reference.pixels.reduce(0, +) / Float(reference.pixels.count)
    let spread = reference.pixels.map { abs($0 - mean) }.reduce(0, +) / Float(reference.pixels.count)
    #expect(spread > 0.1, "the map should not be nearly constant (mean absolute deviation \(spread))")
    for (tile, map) in maps {
      #expect(map.maxAbsDifference(reference) <= 1e-4, "tile \(tile)")
    }
    #expect(await session.finish())
  }

  @Test("Outputs: float32 probabilities, uint8 0/255 mask, uint16 instances; calibration copied")
  func outputTypes() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("types")
    let calibration = TIFFCalibration(pixelWidth: 0.25, pixelHeight: 0.25, unit: "µm")
    try PlainImage.read(trained.image).write(to: folder.file("cells.tif"), calibration: calibration)
    let session = WorkerSession(threads: 2)
    let result = try await Self.segment(
      session, 1, model: trained.model, images: [folder.file("cells.tif")], outputDir: folder.file("out"),
      extra: ["min_object_area": 0])
    let entry = try #require(result["outputs"]?[0])
    #expect(result["tta"] == false)
    let out = folder.file("out")
    #expect(entry["probabilities"] == .string(out + "/cells_probabilities.tif"))
    #expect(entry["mask"] == .string(out + "/cells_mask.tif"))
    #expect(entry["instances"] == .string(out + "/cells_instances.tif"))
    let probabilities = try TIFFReader.read(path: out + "/cells_probabilities.tif")
    let mask = try TIFFReader.read(path: out + "/cells_mask.tif")
    let instances = try TIFFReader.read(path: out + "/cells_instances.tif")
    for stack in [probabilities, mask, instances] {
      #expect(stack.images.count == 1)
      #expect(stack.images.first.map { ($0.width, $0.height, $0.channels) } ?? (0, 0, 0) == (128, 128, 1))
      #expect(stack.calibration == calibration)
    }
    guard case .float32(let p) = probabilities.images.first?.samples,
      case .uint8(let m) = mask.images.first?.samples,
      case .uint16(let labels) = instances.images.first?.samples
    else {
      Issue.record("sample types: \(probabilities.images.first?.sampleType as Any), \(mask.images.first?.sampleType as Any), \(instances.images.first?.sampleType as Any)")
      return
    }
    #expect(p.allSatisfy { (0...1).contains($0) })
    #expect(Set(m) == [0, 255])
    #expect(zip(p, m).allSatisfy { abs($0 - 0.5) < 1e-6 || ($0 > 0.5) == ($1 == 255) }, "mask = probability > 0.5")
    // Instances: labels 1...objects, every foreground pixel in an object (no fragment removal).
    let objects = try #require(entry["objects"]?.int64Value)
    #expect(objects >= 5)
    #expect(Set(labels.filter { $0 != 0 }) == Set((1...UInt16(objects)).map { $0 }))
    #expect(zip(m, labels).allSatisfy { $0 == 0 || $1 != 0 })

    // Only what is asked for; without growing, instances are exactly the mask's foreground.
    let only = try await Self.segment(
      session, 2, model: trained.model, images: [folder.file("cells.tif")], outputDir: folder.file("only"),
      extra: ["outputs": ["instances"], "grow_instances": false, "min_object_area": 0])
    #expect(only["outputs"]?[0]?.objectValue?.keys == ["image", "tile_size", "pixel_size", "instances", "objects"])
    #expect(folder.names == ["cells.tif", "only", "out"])
    #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.file("only"))) == ["cells_instances.tif"])
    let ungrown = try PlainImage.read(folder.file("only/cells_instances.tif"))
    #expect(zip(m, ungrown.pixels).allSatisfy { ($0 == 255) == ($1 != 0) })
    #expect(await session.finish())
  }

  @Test("A stack is segmented page by page: each page as if segmented alone")
  func stackPages() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("stack")
    let first = try PlainImage.read(trained.image)
    let second = first.rotated90()
    try TIFFWriter.write(
      [first, second].map { TIFFImage(width: $0.width, height: $0.height, samples: .float32($0.pixels)) },
      to: folder.file("stack.tif"))
    try second.write(to: folder.file("single.tif"))
    let session = WorkerSession(threads: 2)
    let options: JSONObject = ["outputs": ["probabilities"], "tile_size": 44]
    let stack = try await Self.segment(
      session, 1, model: trained.model, images: [folder.file("stack.tif")], outputDir: folder.file("out"), extra: options)
    let single = try await Self.segment(
      session, 2, model: trained.model, images: [folder.file("single.tif")], outputDir: folder.file("out"), extra: options)
    let stackPath = try #require(stack["outputs"]?[0]?["probabilities"]?.stringValue)
    let singlePath = try #require(single["outputs"]?[0]?["probabilities"]?.stringValue)
    #expect(try TIFFReader.read(path: stackPath).images.count == 2)
    let page = try PlainImage.read(stackPath, page: 1)
    #expect(page.maxAbsDifference(try PlainImage.read(singlePath)) <= 1e-6)
    #expect(await session.finish())
  }

  @Test("With test-time augmentation, segmenting a rotated image gives the rotated result")
  func augmentationIsRotationEquivariant() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("tta")
    let image = try PlainImage.read(trained.image)
    try image.write(to: folder.file("upright.tif"))
    try image.rotated90().write(to: folder.file("turned.tif"))
    let session = WorkerSession(threads: 2)
    let result = try await Self.segment(
      session, 1, model: trained.model, images: [folder.file("upright.tif"), folder.file("turned.tif")],
      outputDir: folder.file("out"), extra: ["outputs": ["probabilities"], "tta": true, "tile_size": 44])
    #expect(result["tta"] == true)
    let upright = try PlainImage.read(folder.file("out/upright_probabilities.tif"))
    let turned = try PlainImage.read(folder.file("out/turned_probabilities.tif"))
    #expect(turned.maxAbsDifference(upright.rotated90()) <= 1e-4)
    #expect(await session.finish())
  }
}
