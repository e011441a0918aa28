import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// Physical pixel sizes (issue 15 part 3): a model keeps the pixel size it was trained at, and
/// `segment` resamples images of another size to it and returns outputs on the input's grid.
@Suite("Pixel size")
struct PixelSizeTests {
  @Test("A model trained at 1 µm/pixel segments a 2×-enlarged copy stated at 0.5 µm like the original")
  func enlargedCopy() async throws {
    let folder = TestFolder("pixel-size")
    let session = WorkerSession(threads: 2)
    let (image, labels) = try await session.generateNuclei(in: folder, width: 96, height: 96, seed: 5)
    let trained = try await session.call(
      "train", "train",
      TrainingRequests.train(
        image: image, labels: labels, modelOut: folder.file("m.unet"), iterations: 300, config: ["pixel_size": 1.0]))
    #expect(trained.result?["pixel_size"] == .double(1.0), "\(trained)")
    let info = try await session.call("info", "model_info", ["model": .string(folder.file("m.unet"))])
    #expect(info.result?["pixel_size"] == .double(1.0), "\(info)")

    // The original states no pixel size: segmented as it is, with a warning.
    let original = try await SegmentWithTrainedModelTests.segment(
      session, "original", model: folder.file("m.unet"), images: [image], outputDir: folder.file("original"),
      extra: ["outputs": ["mask"]])
    #expect(original["outputs"]?[0]?["pixel_size"] == nil)
    #expect(original["outputs"]?[0]?["network_size"] == nil)
    #expect(session.notifications("log").contains { $0["params"]?["message"]?.stringValue?.contains("states no pixel size") == true })
    let originalMask = try PlainImage.read(folder.file("original/\((image as NSString).lastPathComponent.replacingOccurrences(of: ".tif", with: "_mask.tif"))"))

    let enlarged = try PlainImage.read(image).enlarged(by: 2)
    let truth = try PlainImage.read(labels).enlarged(by: 2)
    try enlarged.write(
      to: folder.file("enlarged.tif"), calibration: TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.5, unit: "µm"))
    let resampled = try await SegmentWithTrainedModelTests.segment(
      session, "enlarged", model: folder.file("m.unet"), images: [folder.file("enlarged.tif")],
      outputDir: folder.file("resampled"), extra: ["outputs": ["mask", "instances"]])
    let entry = try #require(resampled["outputs"]?[0])
    #expect(entry["pixel_size"] == .double(0.5))
    #expect(entry["network_size"] == [96, 96])
    let mask = try PlainImage.read(folder.file("resampled/enlarged_mask.tif"))
    #expect(mask.width == 192 && mask.height == 192, "outputs keep the input's size")
    let instances = try PlainImage.read(folder.file("resampled/enlarged_instances.tif"))
    #expect(instances.width == 192 && instances.height == 192)
    // Resampled to the model's grid, the copy gives the original's mask at twice the size.
    let agreement = foregroundIoU(mask.foreground, originalMask.enlarged(by: 2).foreground)
    #expect(agreement >= 0.9, "IoU with the enlarged mask of the original: \(agreement)")
    let resampledIoU = foregroundIoU(mask.foreground, truth.foreground)

    // The request's pixel_size wins over the file's: 1 µm, the model's, means no resampling.
    let asIs = try await SegmentWithTrainedModelTests.segment(
      session, "as-is", model: folder.file("m.unet"), images: [folder.file("enlarged.tif")],
      outputDir: folder.file("as-is"), extra: ["outputs": ["mask"], "pixel_size": 1.0])
    #expect(asIs["outputs"]?[0]?["pixel_size"] == .double(1.0))
    #expect(asIs["outputs"]?[0]?["network_size"] == nil)
    let unscaled = try PlainImage.read(folder.file("as-is/enlarged_mask.tif"))
    let unscaledIoU = foregroundIoU(unscaled.foreground, truth.foreground)
    #expect(resampledIoU >= 0.8, "resampled: IoU \(resampledIoU) against the truth (without resampling \(unscaledIoU))")
    #expect(await session.finish())
  }

  @Test("Without config.pixel_size a model takes its training images' stated pixel size")
  func fromTheTrainingImages() async throws {
    let folder = TestFolder("pixel-size-files")
    let session = WorkerSession(threads: 2)
    let (image, labels) = try await session.generateNuclei(in: folder, width: 64, height: 64, seed: 2)
    let calibrated = folder.file("calibrated.tif")
    try PlainImage.read(image).write(to: calibrated, calibration: TIFFCalibration(pixelWidth: 650, pixelHeight: 650, unit: "nm"))
    let trained = try await session.call(
      "train", "train",
      TrainingRequests.train(image: calibrated, labels: labels, modelOut: folder.file("m.unet"), iterations: 2))
    let size = try #require(trained.result?["pixel_size"]?.doubleValue, "\(trained)")
    #expect(abs(size - 0.65) < 1e-9)
    let plain = try await session.call(
      "plain", "train", TrainingRequests.train(image: image, labels: labels, modelOut: folder.file("p.unet"), iterations: 2))
    #expect(plain.result?["pixel_size"] == nil, "\(plain)")
    let info = try await session.call("info", "model_info", ["model": .string(folder.file("p.unet"))])
    #expect(info.result?["pixel_size"] == .null)
    #expect(await session.finish())
  }
}

extension PlainImage {
  /// Every pixel repeated `factor`×`factor` times.
  func enlarged(by factor: Int) -> PlainImage {
    var out = [Float](repeating: 0, count: width * height * factor * factor)
    for y in 0..<(height * factor) {
      for x in 0..<(width * factor) { out[y * width * factor + x] = at(x / factor, y / factor) }
    }
    return PlainImage(width: width * factor, height: height * factor, pixels: out)
  }
}
