import Foundation
import JSONRPC
import TIFFSupport
import Testing

/// More than two classes through the protocol (issue 14): a 3-class model trains on the
/// `mixed` synthetic set, segments into K probability planes, a class map, a mask of every
/// foreground class and instances counted per class, and `evaluate` scores the class map.
@Suite("More than two classes")
struct MultiClassTests {
  @Test("A 3-class model trains, segments and is evaluated through the worker")
  func threeClassesEndToEnd() async throws {
    let folder = TestFolder("classes")
    let session = WorkerSession(threads: 2)
    let generated = try await session.call(
      1, "generate", ["kind": "mixed", "output_dir": folder.json("data"), "count": 2, "width": 96, "height": 96])
    let images = try #require(generated.result?["images"]?.arrayValue, "\(generated)")
    let labels = try #require(generated.result?["labels"]?.arrayValue)
    #expect(generated.result?["classes"] == 3 && generated.result?["instances"]?.arrayValue?.count == 2)
    let names: JSONValue = ["background", "nucleus", "cell"]
    let trained = try await session.call(
      2, "train",
      [
        "images": .array([images[0]]), "labels": .array([labels[0]]), "model_out": folder.json("m3.unet"),
        "iterations": 30,
        "config": [
          "classes": 3, "label_kind": "classes", "class_names": names, "base_channels": 4, "depth": 2, "tile_size": 44,
        ],
      ])
    #expect(trained.result?["iterations"] == 30, "\(trained)")
    let info = try await session.call(3, "model_info", ["model": folder.json("m3.unet")])
    #expect(info.result?["classes"] == 3 && info.result?["class_names"] == names, "\(info)")

    let segmented = try await session.call(
      4, "segment",
      [
        "model": folder.json("m3.unet"), "images": .array([images[1]]), "output_dir": folder.json("out"),
        "outputs": ["probabilities", "mask", "instances", "classes", "table"], "min_object_area": 0,
      ])
    let entry = try #require(segmented.result?["outputs"]?[0], "\(segmented)")
    let perClassValues = try #require(entry["objects_per_class"]?.arrayValue, "\(entry)")
    let perClass = perClassValues.compactMap(\.int64Value)
    #expect(perClass.count == 2 && perClass.reduce(0, +) == entry["objects"]?.int64Value)
    // The table's `class` column is each object's class (issue 15): its counts are objects_per_class.
    let table = try String(contentsOfFile: try #require(entry["table"]?.stringValue), encoding: .utf8)
    let tableClasses = table.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
    #expect([Int64(tableClasses.filter { $0 == "1" }.count), Int64(tableClasses.filter { $0 == "2" }.count)] == perClass)
    let probabilities = try TIFFReader.read(path: try #require(entry["probabilities"]?.stringValue)).images
    let classMap = try TIFFReader.read(path: try #require(entry["classes"]?.stringValue)).images
    let mask = try PlainImage.read(try #require(entry["mask"]?.stringValue))
    let instances = try PlainImage.read(try #require(entry["instances"]?.stringValue))
    #expect(probabilities.count == 1 && probabilities[0].channels == 3 && classMap[0].sampleType == .uint8)
    let planes = probabilities[0].floatPlanes()
    let classes = classMap[0].floatPlanes()
    let plane = 96 * 96
    var argmaxMismatches = 0
    for i in 0..<plane {
      let p = (0..<3).map { planes[$0 * plane + i] }
      #expect(abs(p.reduce(0, +) - 1) < 1e-4)
      let best = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0)
      if Float(best) != classes[i] { argmaxMismatches += 1 }
      #expect((mask.pixels[i] == 255) == (classes[i] != 0))
      // Without fragment removal every foreground pixel belongs to an object.
      if classes[i] != 0 { #expect(instances.pixels[i] != 0) }
    }
    #expect(argmaxMismatches == 0, "classes is the most probable class")

    // The truth against itself is perfect; the class map scores one IoU per class.
    let perfect = try await session.call(
      5, "evaluate", ["prediction": labels[1], "truth": labels[1], "truth_kind": "classes", "classes": 3])
    #expect(perfect.result?["class_iou"] == [1.0, 1.0, 1.0] && perfect.result?["mean_iou"] == 1.0, "\(perfect)")
    #expect(perfect.result?["f1_50"] == 1.0)
    let scored = try await session.call(
      6, "evaluate",
      ["prediction": try #require(entry["classes"]), "truth": labels[1], "truth_kind": "classes", "classes": 3])
    let iou = try #require(scored.result?["class_iou"]?.arrayValue, "\(scored)")
    #expect(iou.count == 3 && iou.allSatisfy { $0 == .null || (0...1).contains($0.doubleValue ?? -1) })

    // A stack of two pages: K planes per page (an ImageJ hyperstack read back page by page),
    // objects counted over both pages.
    let page = try PlainImage.read(try #require(images[1].stringValue))
    let pageImage = TIFFImage(width: page.width, height: page.height, samples: .float32(page.pixels))
    try TIFFWriter.write([pageImage, pageImage], to: folder.file("stack.tif"))
    let stacked = try await session.call(
      7, "segment",
      ["model": folder.json("m3.unet"), "images": [folder.json("stack.tif")], "output_dir": folder.json("out-stack"),
       "outputs": ["probabilities", "classes"]])
    let stackEntry = try #require(stacked.result?["outputs"]?[0], "\(stacked)")
    let stackPlanes = try TIFFReader.read(path: try #require(stackEntry["probabilities"]?.stringValue)).images
    let stackClasses = try TIFFReader.read(path: try #require(stackEntry["classes"]?.stringValue)).images
    #expect(stackPlanes.count == 2 && stackPlanes.allSatisfy { $0.channels == 3 } && stackClasses.count == 2)
    #expect(stackPlanes[1].floatPlanes() == planes && stackClasses[1].floatPlanes() == classes)
    let stackCounts = try #require(stackEntry["objects_per_class"]?.arrayValue, "\(stackEntry)")
    #expect(stackEntry["instances"] == nil && stackCounts.count == 2)
    #expect(await session.finish())
  }

  @Test("Class labels keep their ignore value, and fine-tuning keeps the model's classes and names")
  func ignoreValueAndFineTuning() async throws {
    let folder = TestFolder("classes-tune")
    let (width, height) = (64, 64)
    var pixels = [Float](repeating: 0.05, count: width * height)
    var labels = [UInt16](repeating: 0, count: width * height)
    for y in 8..<28 {
      for x in 8..<28 { (pixels[y * width + x], labels[y * width + x]) = (0.9, 1) }
      for x in 28..<40 { (pixels[y * width + x], labels[y * width + x]) = (0.4, 2) }
    }
    for x in 0..<width { labels[60 * width + x] = 99 }
    try folder.writeFloatImage(pixels, width: width, height: height, to: "a.tif")
    try folder.writeLabels(labels, width: width, height: height, to: "a_labels.tif")
    let session = WorkerSession(threads: 2)
    let config: JSONObject = [
      "classes": 3, "label_kind": "classes", "ignore_value": 99, "class_names": ["bg", "bright", "dim"],
      "base_channels": 4, "depth": 2, "tile_size": 20,
    ]
    let first = try await session.call(
      1, "train",
      ["images": [folder.json("a.tif")], "labels": [folder.json("a_labels.tif")], "model_out": folder.json("m.unet"),
       "iterations": 5, "config": .object(config)])
    #expect(first.result?["iterations"] == 5, "\(first)")
    let tuned = try await session.call(
      2, "train",
      ["images": [folder.json("a.tif")], "labels": [folder.json("a_labels.tif")], "model_out": folder.json("t.unet"),
       "init_model": folder.json("m.unet"), "iterations": 3, "config": ["label_kind": "classes", "ignore_value": 99]])
    #expect(tuned.result?["total_iterations"] == 8, "\(tuned)")
    let info = try await session.call(3, "model_info", ["model": folder.json("t.unet")])
    #expect(info.result?["classes"] == 3 && info.result?["class_names"] == ["bg", "bright", "dim"], "\(info)")
    // A different class count cannot fine-tune this model; instance labels cannot train it.
    let wrong = try await session.call(
      4, "train",
      ["images": [folder.json("a.tif")], "labels": [folder.json("a_labels.tif")], "model_out": folder.json("w.unet"),
       "init_model": folder.json("m.unet"), "iterations": 1, "config": ["classes": 4, "label_kind": "classes"]])
    #expect(wrong.code == -32003, "\(wrong)")
    let instances = try await session.call(
      5, "train",
      ["images": [folder.json("a.tif")], "labels": [folder.json("a_labels.tif")], "model_out": folder.json("w.unet"),
       "init_model": folder.json("m.unet"), "iterations": 1])
    #expect(instances.code == -32602 && instances.data?["field"] == "config.label_kind", "\(instances)")
    #expect(await session.finish())
  }

  @Test("Two-class models: no objects_per_class, and the class map is the mask")
  func twoClassesUnchanged() async throws {
    let trained = try await TrainedNucleiModel.shared
    let folder = TestFolder("two-classes")
    let session = WorkerSession(threads: 2)
    let reply = try await session.call(
      1, "segment",
      ["model": .string(trained.model), "images": [.string(trained.image)], "output_dir": folder.json("out"),
       "outputs": ["probabilities", "mask", "classes"]])
    let entry = try #require(reply.result?["outputs"]?[0], "\(reply)")
    #expect(entry["objects_per_class"] == nil && entry["instances"] == nil)
    let probabilities = try TIFFReader.read(path: try #require(entry["probabilities"]?.stringValue)).images[0]
    #expect(probabilities.channels == 1)
    let mask = try PlainImage.read(try #require(entry["mask"]?.stringValue))
    let classes = try PlainImage.read(try #require(entry["classes"]?.stringValue))
    #expect(classes.pixels == mask.pixels.map { $0 == 255 ? 1 : 0 })
    #expect(mask.pixels.contains(255) && mask.pixels.contains(0))
    #expect(await session.finish())
  }
}
