import ImageOps
import NeuralCore
import Segmentation
import Testing

/// Instances of an image seen band by band (`ProvisionalObjects`, `BandGrowth`) are those of
/// the whole image at once (`labelComponents`, `instanceLabels`): the scheme the streamed
/// `segment` runs, here with everything in memory.
@Suite struct BandedInstancesTests {
  /// A smooth random 1×H×W probability map: a sum of Gaussian blobs through a logistic, with
  /// long objects, touching objects and seams of low probability between them.
  static func blobs(width: Int, height: Int, count: Int, seed: UInt64) -> Tensor {
    var random = RandomSource(seed: seed)
    var field = [Float](repeating: -2.5, count: width * height)
    for _ in 0..<count {
      let cx = Float(random.nextInt(below: width))
      let cy = Float(random.nextInt(below: height))
      let sx = 2 + 8 * random.nextUniform()
      let sy = 2 + 30 * random.nextUniform()
      for y in max(0, Int(cy - 3 * sy))..<min(height, Int(cy + 3 * sy) + 1) {
        for x in max(0, Int(cx - 3 * sx))..<min(width, Int(cx + 3 * sx) + 1) {
          let dx = (Float(x) - cx) / sx
          let dy = (Float(y) - cy) / sy
          field[y * width + x] += 4 * Float.exp(-(dx * dx + dy * dy) / 2) - 0.4 * random.nextUniform()
        }
      }
    }
    return Tensor(shape: Shape(channels: 1, height: height, width: width), storage: field.map { 1 / (1 + Float.exp(-$0)) })
  }

  /// Labels `probability` band by band as the streamed `segment` does: provisional ids per band
  /// of `bandRows`, growth on windows of `growthRows` rows with a halo doubled from `halo` up to
  /// `maximumHalo`, then numbering.
  /// - Returns: the labels, their count and the bands not shown exact.
  static func banded(
    _ probability: Tensor, options: InstanceOptions, bandRows: Int, growthRows: Int, halo: Int, maximumHalo: Int
  ) -> (labels: [Int32], count: Int, approximate: Int) {
    let (width, height) = (probability.width, probability.height)
    let mask = options.mask(probability)
    var objects = ProvisionalObjects()
    var ids: [UInt32] = []
    var rowAbove: [UInt32]? = nil
    for y0 in stride(from: 0, to: height, by: bandRows) {
      let rows = min(bandRows, height - y0)
      let band = objects.labelBand(mask: Array(mask[(y0 * width)..<((y0 + rows) * width)]), width: width, rowAbove: rowAbove)
      rowAbove = Array(band[(band.count - width)...])
      ids += band
    }
    let roots = objects.roots()
    var areas = [Int](repeating: 0, count: roots.count)
    var approximate = 0
    if options.growInstances && objects.count > 0 {
      var grown = [UInt32](repeating: 0, count: ids.count)
      for y0 in stride(from: 0, to: height, by: growthRows) {
        let y1 = min(height, y0 + growthRows)
        var h = halo
        while true {
          let (top, bottom) = (max(0, y0 - h), min(height, y1 + h))
          let part = ids[(top * width)..<(bottom * width)]
          var window = LabelImage(width: width, height: bottom - top, values: part.map { Int32(roots[Int($0)]) })
          let relief = Tensor(
            shape: Shape(channels: 1, height: bottom - top, width: width),
            storage: Array(probability.storage[(top * width)..<(bottom * width)]))
          let exact = BandGrowth.grow(
            &window, mask: part.map { $0 != 0 ? 255 : 0 }, probability: relief, radius: 2,
            growthThreshold: options.growthThreshold, inner: (y0 - top)..<(y1 - top), cutAbove: top > 0,
            cutBelow: bottom < height)
          if !exact && (top > 0 || bottom < height) && h < maximumHalo {
            h *= 2
            continue
          }
          if !exact { approximate += 1 }
          for p in ((y0 - top) * width)..<((y1 - top) * width) {
            let root = UInt32(max(0, window.values[p]))
            grown[top * width + p] = root
            if root != 0 { areas[Int(root)] += 1 }
          }
          break
        }
      }
      ids = grown
    } else {
      for id in roots.indices.dropFirst() { areas[Int(roots[id])] += objects.maskAreas[id] }
    }
    let numbering = ProvisionalObjects.numbering(roots: roots, areas: areas, minimumArea: options.minimumArea)
    return (ids.map { Int32(numbering.labels[Int($0)]) }, numbering.count, approximate)
  }

  @Test("Components joined across band seams are the whole image's, numbered in raster order", arguments: [1, 7, 64])
  func componentsAcrossSeams(bandRows: Int) {
    let map = Self.blobs(width: 150, height: 230, count: 40, seed: 11)
    let options = InstanceOptions(growInstances: false)
    let whole = instanceLabels(probability: map, growInstances: false)
    let banded = Self.banded(map, options: options, bandRows: bandRows, growthRows: 64, halo: 8, maximumHalo: 8)
    #expect(banded.count == whole.count && whole.count > 10)
    #expect(banded.labels == whole.labels.values)
  }

  @Test("More than 65535 objects across bands are numbered as on the whole image")
  func manyObjects() {
    // An isolated pixel at every (x, y) divisible by 6: 270 × 252 = 68040 objects, 5 pixels
    // apart, so no background pixel lies within 2 steps of two of them.
    let (width, height) = (1620, 1512)
    let map = Tensor(
      shape: Shape(channels: 1, height: height, width: width),
      storage: (0..<(width * height)).map { ($0 % width) % 6 == 0 && ($0 / width) % 6 == 0 ? 0.9 : 0.1 })
    let options = InstanceOptions(growInstances: true)
    let whole = options.labels(probability: map)
    let banded = Self.banded(map, options: options, bandRows: 37, growthRows: 50, halo: 4, maximumHalo: 64)
    #expect(whole.count == 68_040 && banded.count == whole.count)
    #expect(banded.labels == whole.labels.values)
    #expect(banded.approximate == 0)
  }

  @Test(
    "Growth into borders and rims band by band equals growth on the whole image",
    arguments: [(0.5, 0), (0.3, 0), (0.2, 40), (0.5, 8)] as [(Float, Int)])
  func growthAcrossSeams(growthThreshold: Float, minimumArea: Int) {
    let map = Self.blobs(width: 160, height: 300, count: 70, seed: 5)
    let options = InstanceOptions(growthThreshold: growthThreshold, minimumArea: minimumArea)
    let whole = options.labels(probability: map)
    let banded = Self.banded(map, options: options, bandRows: 19, growthRows: 32, halo: 4, maximumHalo: 512)
    #expect(banded.approximate == 0)
    #expect(banded.count == whole.count && whole.count > 10)
    #expect(banded.labels == whole.labels.values)
  }

  @Test("A halo too small for a rim region is reported, not silently wrong")
  func smallHaloIsReported() {
    // A low growth threshold joins rims into long regions that 2-row halos cannot hold.
    let map = Self.blobs(width: 160, height: 300, count: 70, seed: 5)
    let options = InstanceOptions(growthThreshold: 0.1)
    let banded = Self.banded(map, options: options, bandRows: 19, growthRows: 16, halo: 2, maximumHalo: 2)
    #expect(banded.approximate > 0)
  }
}
