import ImageOps
import JSONRPC
import NeuralCore

/// `weight_map`: writes the paper's Eq. 2 weight map of a label image as float32 TIFF, so
/// users can check `w0` and `sigma` on their own data.
enum WeightMapMethod {
  static let spec = MethodSpec(
    name: "weight_map",
    handler: .queued { params in
      try params.rejectUnknownKeys(allowed: ["labels", "output", "label_kind", "classes"] + WeightMapParameters.protocolKeys)
      let labelsPath = try params.string("labels")
      let output = try params.string("output")
      var parameters = WeightMapParameters()
      try parameters.read(from: params)
      let classLabels = try params.optionalString("label_kind", oneOf: ["instances", "classes"]) == "classes"
      let classes = try params.optionalInt("classes", in: 2...255)
      if classes != nil && !classLabels {
        throw RPCError.invalidParams(field: "classes", "classes applies to label_kind \"classes\" only")
      }
      try OutputFiles.ensureNotAnInput(output, inputs: [labelsPath])
      let settings = parameters
      return { context in
        context.progress.report(stage: "weight_map", done: 0, total: 1)
        // Class images: ids up to `classes` - 1 (at most 254 without it); K balances w_c.
        let (pages, calibration) = try ImageLoading.labels(
          at: labelsPath, ignoreValue: settings.ignoreValue, kind: classLabels ? .classes(classes ?? 255) : .instances)
        var parameters = settings
        if classLabels {
          parameters.labelKind = .classes(classes ?? ImageLoading.classCount(of: pages, ignoreValue: settings.ignoreValue))
        }
        if let first = pages.first, pages.contains(where: { $0.width != first.width || $0.height != first.height }) {
          throw RPCError.fileUnreadable(
            path: labelsPath, "\(labelsPath) holds label images of different sizes; the weight maps form one stack of one size")
        }
        var maps: [Tensor] = []
        for (index, labels) in pages.enumerated() {
          try context.token.check()
          let weights = weightMap(labels: labels, parameters: parameters, parallel: context.environment.parallel)
          maps.append(Tensor(shape: Shape(channels: 1, height: labels.height, width: labels.width), storage: weights))
          context.progress.report(stage: "weight_map", done: index + 1, total: pages.count)
        }
        try context.token.check()
        try OutputFiles.writeFloat(maps, to: output, calibration: calibration)
        return .object(["output": .string(output)])
      }
    })
}
