import NeuralCore

/// Mean time per layer over `reps` profiled passes, in execution order, with GFLOP/s and the
/// fraction of `peak` (GFLOP/s) each reaches; plus the totals per phase and layer kind.
func profileJSON(_ timings: [LayerTiming], reps: Int, peak: Double) -> JSON {
  var order: [String] = []
  var totals: [String: (first: LayerTiming, seconds: Double)] = [:]
  for t in timings {
    let key = t.phase + " " + t.layer
    if let total = totals[key] {
      totals[key] = (total.first, total.seconds + t.seconds)
    } else {
      order.append(key)
      totals[key] = (t, t.seconds)
    }
  }
  func rate(flops: Double, seconds: Double) -> [(String, JSON)] {
    guard flops > 0 else { return [] }
    let gflops = flops / 1e9 / seconds
    return [("gflops", .number(gflops)), ("fraction_of_peak", .number(gflops / peak))]
  }
  var layers: [JSON] = []
  var kinds: [String: (phase: String, kind: String, seconds: Double, flops: Double)] = [:]
  var kindOrder: [String] = []
  for key in order {
    guard let (t, sum) = totals[key] else { continue }
    let mean = sum / Double(reps)
    layers.append(
      .object(
        [
          ("layer", .string(t.layer)), ("kind", .string(t.kind)), ("phase", .string(t.phase)),
          ("seconds", .number(mean)),
        ] + rate(flops: Double(t.flops), seconds: mean)))
    let kindKey = t.phase + " " + t.kind
    if kinds[kindKey] == nil {
      kindOrder.append(kindKey)
      kinds[kindKey] = (t.phase, t.kind, 0, 0)
    }
    kinds[kindKey]?.seconds += mean
    kinds[kindKey]?.flops += Double(t.flops)
  }
  let byKind = kindOrder.compactMap { key -> JSON? in
    guard let k = kinds[key] else { return nil }
    return .object(
      [("phase", .string(k.phase)), ("kind", .string(k.kind)), ("seconds", .number(k.seconds))]
        + rate(flops: k.flops, seconds: k.seconds))
  }
  return .object([("peak_gflops", .number(peak)), ("by_kind", .array(byKind)), ("layers", .array(layers))])
}
