import ImageOps
import NeuralCore

/// Plain, quadratic-time oracles for the metrics: written straight from the definitions
/// (pairs of pixels, pixel scans per object), sharing no code with the module.
enum NaiveMetrics {
  static func foregroundIoU(_ p: LabelImage, _ t: LabelImage) -> Double {
    var intersection = 0
    var union = 0
    for i in 0..<t.values.count {
      let a = p.values[i] != 0
      let b = t.values[i] != 0
      if a && b { intersection += 1 }
      if a || b { union += 1 }
    }
    return union == 0 ? 1 : Double(intersection) / Double(union)
  }

  /// Counts ordered pixel pairs (self-pairs included) among truth-foreground pixels; a pixel
  /// the prediction calls background is "together" only with itself.
  static func randError(_ p: LabelImage, _ t: LabelImage) -> Double {
    let pixels = (0..<t.values.count).filter { t.values[$0] != 0 }
    var together = 0.0  // same truth object and same predicted object
    var sameTruth = 0.0
    var samePrediction = 0.0
    for a in pixels {
      for b in pixels {
        let inTruth = t.values[a] == t.values[b]
        let inPrediction = a == b || (p.values[a] != 0 && p.values[a] == p.values[b])
        if inTruth { sameTruth += 1 }
        if inPrediction { samePrediction += 1 }
        if inTruth && inPrediction { together += 1 }
      }
    }
    if pixels.isEmpty { return 0 }
    let split = together / sameTruth
    let merge = together / samePrediction
    return 1 - 2 * split * merge / (split + merge)
  }

  static func objects(_ image: LabelImage) -> [Int32] {
    Array(Set(image.values.filter { $0 != 0 })).sorted()
  }

  static func iou(_ p: LabelImage, _ pl: Int32, _ t: LabelImage, _ tl: Int32) -> (Double, Int) {
    var intersection = 0
    var union = 0
    for i in 0..<t.values.count {
      let a = p.values[i] == pl
      let b = t.values[i] == tl
      if a && b { intersection += 1 }
      if a || b { union += 1 }
    }
    return (Double(intersection) / Double(union), intersection)
  }

  static func seg(_ p: LabelImage, _ t: LabelImage) -> Double {
    let truthObjects = objects(t)
    if truthObjects.isEmpty { return objects(p).isEmpty ? 1 : 0 }
    var total = 0.0
    for tl in truthObjects {
      let size = t.values.count { $0 == tl }
      for pl in objects(p) {
        let (jaccard, intersection) = iou(p, pl, t, tl)
        if Double(intersection) > 0.5 * Double(size) { total += jaccard }
      }
    }
    return total / Double(truthObjects.count)
  }

  /// Greedy matching, each object used once, pairs with IoU > 0.5.
  static func matched(_ p: LabelImage, _ t: LabelImage) -> Int {
    var used = Set<Int32>()
    var matched = 0
    for tl in objects(t) {
      for pl in objects(p) where !used.contains(pl) && iou(p, pl, t, tl).0 > 0.5 {
        used.insert(pl)
        matched += 1
        break
      }
    }
    return matched
  }
}

/// Blocky random label images: a coarse grid of random labels, upsampled, so objects have
/// runs, touch each other and overlap partially between the two images.
func randomBlockLabels(width: Int, height: Int, block: Int, labels: Int32, random: inout RandomSource) -> LabelImage {
  let gridWidth = (width + block - 1) / block
  let gridHeight = (height + block - 1) / block
  let grid = (0..<(gridWidth * gridHeight)).map { _ in Int32(random.nextInt(below: Int(labels) + 1)) }
  var image = LabelImage(width: width, height: height)
  for y in 0..<height {
    for x in 0..<width { image[y, x] = grid[(y / block) * gridWidth + x / block] }
  }
  return image
}
