import Evaluation
import ImageOps
import JSONRPC

/// `evaluate`: compares a predicted label image (or mask) with the ground truth and answers
/// the metrics of Protocol/README.md. For stacks, pages are compared pairwise and the
/// metrics averaged over pages.
enum EvaluateMethod {
  static let spec = MethodSpec(
    name: "evaluate",
    handler: .queued { params in
      try params.rejectUnknownKeys(allowed: ["prediction", "truth", "truth_kind", "classes"])
      let predictionPath = try params.string("prediction")
      let truthPath = try params.string("truth")
      let classLabels = try params.optionalString("truth_kind", oneOf: ["instances", "classes"]) == "classes"
      let classes = try params.optionalInt("classes", in: 2...255)
      if classes != nil && !classLabels {
        throw RPCError.invalidParams(field: "classes", "classes applies to truth_kind \"classes\" only")
      }
      return { context in
        context.progress.report(stage: "evaluate", done: 0, total: 1)
        // Class images: ids up to `classes` - 1 (at most 254 without it), objects per class.
        let kind = classLabels ? LabelKind.classes(classes ?? 255) : .instances
        let prediction = try ImageLoading.labels(at: predictionPath, ignoreValue: nil, kind: kind).pages
        let truth = try ImageLoading.labels(at: truthPath, ignoreValue: nil, kind: kind).pages
        guard prediction.count == truth.count else {
          throw RPCError.dataMismatch(
            "prediction has \(prediction.count) pages, truth \(truth.count)",
            ["prediction": .string(predictionPath), "truth": .string(truthPath)])
        }
        let classCount = classes ?? ImageLoading.classCount(of: prediction + truth, ignoreValue: nil)
        var overlap = ClassOverlap(classes: classCount)
        var pages: [SegmentationMetrics] = []
        for (p, t) in zip(prediction, truth) {
          guard p.width == t.width && p.height == t.height else {
            throw RPCError.dataMismatch(
              "prediction is \(p.width)x\(p.height), truth \(t.width)x\(t.height)",
              ["prediction": .string(predictionPath), "truth": .string(truthPath)])
          }
          try context.token.check()
          if classLabels {
            overlap.add(prediction: p, truth: t)
            let objects = LabelKind.classes(classCount)
            pages.append(evaluateSegmentation(prediction: p.objects(kind: objects).labels, truth: t.objects(kind: objects).labels))
          } else {
            pages.append(evaluateSegmentation(prediction: p, truth: t))
          }
          context.progress.report(stage: "evaluate", done: pages.count, total: truth.count)
        }
        guard classLabels, case .object(var result) = metricsJSON(pages) else { return metricsJSON(pages) }
        result["classes"] = .int(Int64(classCount))
        result["class_iou"] = .array(overlap.classIoU.map { $0.map { .double($0) } ?? .null })
        result["mean_iou"] = overlap.meanForegroundIoU.map { .double($0) } ?? .null
        return .object(result)
      }
    })

  /// The metrics as the protocol names them; page means for stacks, object counts summed.
  static func metricsJSON(_ pages: [SegmentationMetrics]) -> JSONValue {
    let n = Double(max(1, pages.count))
    func mean(_ value: (SegmentationMetrics) -> Double) -> JSONValue {
      .double(pages.reduce(0) { $0 + value($1) } / n)
    }
    func total(_ value: (SegmentationMetrics) -> Int) -> JSONValue {
      .int(Int64(pages.reduce(0) { $0 + value($1) }))
    }
    return .object([
      "fg_iou": mean { Double($0.foregroundIoU) },
      "pixel_error": mean { Double($0.pixelError) },
      "rand_error": mean { Double($0.randError) },
      "adapted_rand_error": mean { Double($0.adaptedRandError) },
      "seg": mean { Double($0.seg) },
      "f1_50": mean { Double($0.f1At50) },
      "precision_50": mean { Double($0.precisionAt50) },
      "recall_50": mean { Double($0.recallAt50) },
      "truth_objects": total { $0.truthObjects },
      "predicted_objects": total { $0.predictedObjects },
      "matched_objects": total { $0.matchedObjects },
      "pages": .int(Int64(pages.count)),
    ])
  }
}
