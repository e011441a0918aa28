import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// `segment`'s `rois` and `table` outputs (issue 15, part 4) through the worker: the files and
/// result entries, rows that agree with the instances, µm² from a micrometre calibration, none
/// without one. `Tests/tools/outside/check_rois_table.py` reads the ROIs with roifile.
@Suite("ROIs and object tables")
struct RoisAndTableTests {
  /// The rows of a CSV file as dictionaries, and its header.
  private func readTable(_ path: String) throws -> (header: [String], rows: [[String: String]]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let header = try #require(lines.first)
    return (header, lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
  }

  @Test("rois and table are written, agree with the instances, and give µm² with a µm calibration")
  func roisAndTable() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("rois")
    let image = try PlainImage.read(trained.image)
    try image.write(to: folder.file("calibrated.tif"), calibration: TIFFCalibration(pixelWidth: 0.5, pixelHeight: 0.25, unit: "µm"))
    try image.write(to: folder.file("plain.tif"))
    let session = WorkerSession(threads: 2)
    let result = try await SegmentWithTrainedModelTests.segment(
      session, 1, model: trained.model, images: [folder.file("calibrated.tif"), folder.file("plain.tif")],
      outputDir: folder.file("out"), extra: ["outputs": ["instances", "rois", "table"]])
    for (index, stem) in ["calibrated", "plain"].enumerated() {
      let entry = try #require(result["outputs"]?[index])
      #expect(entry["rois"]?.stringValue == folder.file("out/\(stem)_rois.zip"), "\(entry)")
      #expect(entry["table"]?.stringValue == folder.file("out/\(stem)_objects.csv"), "\(entry)")
      let zip = try #require(folder.contents("out/\(stem)_rois.zip"))
      #expect(Array(zip.prefix(4)) == [0x50, 0x4B, 0x03, 0x04], "a zip")
      let instances = try PlainImage.read(folder.file("out/\(stem)_instances.tif"))
      let (header, rows) = try readTable(folder.file("out/\(stem)_objects.csv"))
      #expect(
        header == [
          "label", "class", "area_px", "area_um2", "centroid_x", "centroid_y", "bbox_x", "bbox_y", "bbox_width",
          "bbox_height", "mean_probability",
        ])
      let objects = try #require(entry["objects"]?.int64Value)
      #expect(objects > 0 && rows.count == Int(objects))
      for row in rows {
        let label = try #require(row["label"].flatMap { Float($0) })
        let area = instances.pixels.filter { $0 == label }.count
        #expect(row["area_px"] == "\(area)" && row["class"] == "1")
        let um2 = row["area_um2"] ?? "-"
        #expect(stem == "calibrated" ? Double(um2) == Double(area) * 0.125 : um2.isEmpty, "\(row)")
        let probability = try #require(row["mean_probability"].flatMap { Double($0) })
        #expect(probability > 0.3 && probability <= 1, "objects lie where the network sees foreground")
      }
    }
    #expect(await session.finish())
  }

  @Test("rois alone need no instances output, and nothing else is written")
  func roisAlone() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("rois-alone")
    let session = WorkerSession(threads: 2)
    let result = try await SegmentWithTrainedModelTests.segment(
      session, 1, model: trained.model, images: [trained.image], outputDir: folder.file("out"),
      extra: ["outputs": ["rois"]])
    let entry = try #require(result["outputs"]?[0])
    #expect(entry["rois"] != nil && entry["table"] == nil && entry["instances"] == nil && entry["objects"] == nil)
    let written = try FileManager.default.contentsOfDirectory(atPath: folder.file("out"))
    #expect(written == ["nuclei_3_0_rois.zip"], "\(written)")
    #expect(await session.finish())
  }
}
