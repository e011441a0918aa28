import ImageOps
import JSONRPC
import NeuralCore
import Segmentation
import TIFFSupport

/// `segment` of one image larger than memory (issue 16), band by band, with results equal to
/// the in-memory path's:
///
/// 1. a first pass over the input counts every channel's values (`IntensityHistogram`), which
///    gives the model's percentile normalisation exactly (8- and 16-bit integer samples);
/// 2. the network pass runs the overlap-tile plan one row of tiles (a band) at a time; a band's
///    input window carries the network's margin of real rows above and below and is mirrored
///    only at the image's own border, so each band's probabilities are those of the whole image.
///    Probabilities, masks and class maps go out strip by strip (`TIFFStripWriter`); the mask's
///    4-connected components get provisional ids joined across band seams (`ProvisionalObjects`),
///    written with the probabilities to scratch files (`ScratchFile`);
/// 3. growth into separation borders and rims runs on bands of `instanceBandRows` rows plus a
///    halo, doubled until `BandGrowth` finds the band's result exact (at most
///    `maximumHalo(width:)`; a band still not shown exact then is counted in
///    `approximate_bands`);
/// 4. a last pass numbers the objects as on the whole image (raster order of first pixels,
///    `minimumArea` after growth, uint32 beyond 65535 objects) and writes the instances.
///
/// Memory holds a few bands and one entry per provisional object, not the image: it no longer
/// grows with the height, and grows with the width only through the bands' rows.
struct StreamedSegmentation {
  /// Rows per band of the instance passes (growth, numbering).
  static let instanceBandRows = 128
  /// The growth halo tried first; it is doubled up to `maximumHalo(width:)`.
  static let initialHalo = 32
  /// Pixels of the largest growth window (about 30 bytes each while growing).
  static let maximumWindowPixels = 12 << 20

  /// The largest halo tried before a band is counted as approximate: at most 1024 rows, and
  /// fewer on wide images, so that a window stays within `maximumWindowPixels`.
  static func maximumHalo(width: Int) -> Int {
    max(initialHalo, min(1024, (maximumWindowPixels / width - instanceBandRows) / 2))
  }
  /// `instanceLabels`' growth radius (its default, which `InstanceOptions` uses).
  static let growthRadius = 2
  /// Images of at least this many pixels are streamed when `stream` is not given (5793²).
  static let automaticPixels = 32 << 20
  /// The tile memory budget of a streamed image, so that tiles (and bands) stay small.
  static let tileMemoryMB = 256.0
  /// Output pixels of one band at most (rows of tiles × width) when the tile size is chosen:
  /// about 20 bytes each are held while a band is segmented and labelled.
  static let maximumBandPixels = 16 << 20

  let reader: TIFFPageReader
  let segmenter: OverlapTileSegmenter<UNetTilePredictor>
  let normalization: IntensityNormalization
  let options: InstanceOptions
  /// Output paths by kind, and the kinds asked for.
  let paths: [String: String]
  let kinds: Set<String>
  /// Where the scratch files go (the output folder: the outputs' file system).
  let scratchFolder: String

  /// Why an image cannot be streamed, or nil when it can.
  static func obstacle(info: TIFFStackInfo, classes: Int, grid: SegmentationGrid, kinds: Set<String>) -> String? {
    if classes > 2 { return "models of more than two classes are not streamed" }
    if grid.isResampled { return "images resampled to the model's pixel size are not streamed" }
    if info.imageCount != 1 { return "stacks (\(info.imageCount) images) are not streamed" }
    if kinds.contains("rois") || kinds.contains("table") { return "ROIs and object tables are not streamed" }
    switch info.sampleType {
    case .uint8, .uint16, .int8, .int16: return nil
    default: return "\(info.sampleType.rawValue) samples are not streamed (8- and 16-bit integers are)"
    }
  }

  /// Segments the reader's image; `tilesBefore` and `totalTiles` place its tiles in the
  /// request's progress.
  /// - Returns: the output entry's members after `image` and `tile_size`, in the protocol's order.
  func run(context: RequestContext, imageIndex: Int, tilesBefore: Int, totalTiles: Int) throws -> [(String, JSONValue)] {
    let info = reader.info
    let width = info.width
    let height = info.height
    func path(_ kind: String) -> String? { kinds.contains(kind) ? paths[kind] : nil }
    func writer(_ kind: String, _ type: TIFFSampleType) throws -> TIFFStripWriter? {
      try path(kind).map {
        try TIFFStripWriter(path: $0, width: width, height: height, sampleType: type, calibration: info.calibration)
      }
    }
    var writers: [TIFFStripWriter] = []
    let tilesOfImage = segmenter.plan(imageWidth: width, imageHeight: height).tiles.count
    // The passes without tiles report too (rate-limited), so that progress keeps coming:
    // `pass` names the pass, `done` stays at the tiles finished.
    func heartbeat(_ pass: String, tilesDone: Int) {
      context.progress.report(
        stage: "segment", done: tilesDone, total: totalTiles,
        extra: [("image", .int(Int64(imageIndex))), ("pass", .string(pass))])
    }
    do {
      let ranges = try normalizationRanges(context: context) { heartbeat("histogram", tilesDone: tilesBefore) }
      let probabilities = try writer("probabilities", .float32)
      let masks = try writer("mask", .uint8)
      let classMaps = try writer("classes", .uint8)
      writers = [probabilities, masks, classMaps].compactMap { $0 }
      let wantsInstances = path("instances") != nil
      let labelScratch = wantsInstances ? try ScratchFile(in: scratchFolder) : nil
      let probabilityScratch = wantsInstances && options.growInstances ? try ScratchFile(in: scratchFolder) : nil

      let plan = segmenter.plan(imageWidth: width, imageHeight: height)
      let bands = plan.bands
      var objects = ProvisionalObjects()
      var rowAbove: [UInt32]? = nil
      var tilesDone = tilesBefore
      for (index, band) in bands.enumerated() {
        try context.token.check()
        let window = try inputWindow(band, plan: plan, ranges: ranges)
        let done = tilesDone
        let extra: [(String, JSONValue)] = [
          ("image", .int(Int64(imageIndex))), ("band", .int(Int64(index + 1))), ("bands", .int(Int64(bands.count))),
          ("pass", .string("network")),
        ]
        let probability: [Float]
        do {
          probability = try segmenter.segmentBand(
            window, band: band, plan: plan,
            progress: { tile in
              context.progress.report(stage: "segment", done: done + tile, total: totalTiles, extra: extra)
            },
            isCancelled: { context.token.isCancelled })
        } catch {
          throw RequestCancelled()
        }
        tilesDone += band.tiles.count
        try probabilities?.append(.float32(probability))
        // As `foregroundMask` and `StackOutputs` make them.
        let threshold = options.threshold
        let mask = probability.map { $0 > threshold ? UInt8(255) : 0 }
        try masks?.append(.uint8(mask))
        try classMaps?.append(.uint8(mask.map { $0 != 0 ? 1 : 0 }))
        if let labelScratch {
          let ids = objects.labelBand(mask: mask, width: width, rowAbove: rowAbove)
          rowAbove = Array(ids[(ids.count - width)...])
          try labelScratch.write(ids, at: band.writeRows.lowerBound * width)
          try probabilityScratch?.write(probability, at: band.writeRows.lowerBound * width)
        }
      }

      var instanceEntries: [(String, JSONValue)] = []
      var approximateBands = 0
      if let labelScratch, let instancesPath = path("instances") {
        let roots = objects.roots()
        var areas = [Int](repeating: 0, count: roots.count)
        var labelSource = labelScratch
        if options.growInstances && objects.count > 0, let probabilityScratch {
          let grown = try ScratchFile(in: scratchFolder)
          approximateBands = try grow(
            labels: labelScratch, probability: probabilityScratch, into: grown, roots: roots, areas: &areas,
            context: context
          ) { heartbeat("instances", tilesDone: tilesBefore + tilesOfImage) }
          labelSource = grown
        } else {
          for id in roots.indices.dropFirst() { areas[Int(roots[id])] += objects.maskAreas[id] }
        }
        let numbering = ProvisionalObjects.numbering(roots: roots, areas: areas, minimumArea: options.minimumArea)
        let wide = numbering.count > Int(UInt16.max)
        let instances = try TIFFStripWriter(
          path: instancesPath, width: width, height: height, sampleType: wide ? .uint32 : .uint16,
          calibration: info.calibration)
        writers.append(instances)
        for y0 in stride(from: 0, to: height, by: Self.instanceBandRows) {
          try context.token.check()
          heartbeat("instances", tilesDone: tilesBefore + tilesOfImage)
          let rows = min(Self.instanceBandRows, height - y0)
          let ids = try labelSource.read(UInt32.self, count: rows * width, at: y0 * width)
          let labels = ids.map { numbering.labels[Int($0)] }
          try instances.append(wide ? .uint32(labels) : .uint16(labels.map { UInt16(truncatingIfNeeded: $0) }))
        }
        instanceEntries = [("instances", .string(instancesPath)), ("objects", .int(Int64(numbering.count)))]
      }

      try context.token.check()
      for writer in writers { try writer.complete() }
      var entry: [(String, JSONValue)] = []
      if let probabilities, let path = path("probabilities") {
        try probabilities.finish()
        entry.append(("probabilities", .string(path)))
      }
      if let masks, let path = path("mask") {
        try masks.finish()
        entry.append(("mask", .string(path)))
      }
      if let instances = writers.last, !instanceEntries.isEmpty {
        try instances.finish()
        entry += instanceEntries
      }
      if let classMaps, let path = path("classes") {
        try classMaps.finish()
        entry.append(("classes", .string(path)))
      }
      entry.append(("bands", .int(Int64(bands.count))))
      if wantsInstances { entry.append(("approximate_bands", .int(Int64(approximateBands)))) }
      return entry
    } catch {
      for writer in writers { writer.discard() }
      throw error
    }
  }

  /// Pass 1: each channel's normalisation range from the histogram of all its values;
  /// `heartbeat` is called before each read.
  private func normalizationRanges(
    context: RequestContext, heartbeat: () -> Void
  ) throws -> [(low: Float, high: Float)] {
    let info = reader.info
    let range: ClosedRange<Int> =
      switch info.sampleType {
      case .uint8: 0...255
      case .int8: -128...127
      case .int16: -32768...32767
      default: 0...65535
      }
    var histograms = [IntensityHistogram](repeating: IntensityHistogram(range: range), count: info.channels)
    // About 16 M samples per read.
    let step = max(1, (16 << 20) / (info.width * info.channels))
    for y0 in stride(from: 0, to: info.height, by: step) {
      try context.token.check()
      heartbeat()
      let image = try reader.rows(y0..<min(info.height, y0 + step), ofImage: 0)
      let plane = image.width * image.height
      for c in 0..<info.channels {
        let part = (c * plane)..<((c + 1) * plane)
        switch image.samples {
        case .uint8(let values): histograms[c].add(values[part])
        case .uint16(let values): histograms[c].add(values[part])
        case .int8(let values): histograms[c].add(values[part])
        case .int16(let values): histograms[c].add(values[part])
        default: preconditionFailure("StreamedSegmentation: \(info.sampleType) samples")
        }
      }
    }
    return histograms.map { normalization.mappedRange($0) }
  }

  /// The band's normalised C×in×W input window: rows `band.inputRows`, mirrored at the image's
  /// top and bottom as `Tensor.mirroredWindow` mirrors them.
  private func inputWindow(
    _ band: OverlapTileBand, plan: OverlapTilePlan, ranges: [(low: Float, high: Float)]
  ) throws -> Tensor {
    let info = reader.info
    let width = info.width
    let sources = band.inputRows.map { mirrorIndex($0, count: info.height) }
    let first = sources.min() ?? 0
    let last = sources.max() ?? 0
    let rows = try reader.rows(first..<(last + 1), ofImage: 0)
    let samples = rows.floatPlanes()
    let plane = width * rows.height
    let height = sources.count
    var window = [Float](repeating: 0, count: info.channels * height * width)
    samples.withUnsafeBufferPointer { source in
      window.withUnsafeMutableBufferPointer { destination in
        for c in 0..<info.channels {
          // As `IntensityNormalization.normalized` maps every value.
          let (low, high) = ranges[c]
          let scale: Float = high > low ? 1 / (high - low) : 0
          for (r, row) in sources.enumerated() {
            let from = c * plane + (row - first) * width
            let to = (c * height + r) * width
            for x in 0..<width { destination[to + x] = (source[from + x] - low) * scale }
          }
        }
      }
    }
    return Tensor(shape: Shape(channels: info.channels, height: height, width: width), storage: window)
  }

  /// Pass 3: grows the objects band by band into `grown` (root ids), adding every object's
  /// pixels to `areas` (indexed by root); `heartbeat` is called before each band.
  /// - Returns: the bands not shown exact even with the largest halo.
  private func grow(
    labels: ScratchFile, probability: ScratchFile, into grown: ScratchFile, roots: [UInt32], areas: inout [Int],
    context: RequestContext, heartbeat: () -> Void
  ) throws -> Int {
    let width = reader.info.width
    let height = reader.info.height
    var approximate = 0
    for y0 in stride(from: 0, to: height, by: Self.instanceBandRows) {
      try context.token.check()
      heartbeat()
      let y1 = min(height, y0 + Self.instanceBandRows)
      var halo = Self.initialHalo
      while true {
        let top = max(0, y0 - halo)
        let bottom = min(height, y1 + halo)
        let count = (bottom - top) * width
        let ids = try labels.read(UInt32.self, count: count, at: top * width)
        var window = LabelImage(
          width: width, height: bottom - top, values: ids.map { Int32(bitPattern: roots[Int($0)]) })
        let mask = ids.map { $0 != 0 ? UInt8(255) : 0 }
        let relief = Tensor(
          shape: Shape(channels: 1, height: bottom - top, width: width),
          storage: try probability.readFloats(count: count, at: top * width))
        let exact = BandGrowth.grow(
          &window, mask: mask, probability: relief, radius: Self.growthRadius,
          growthThreshold: options.growthThreshold, inner: (y0 - top)..<(y1 - top), cutAbove: top > 0,
          cutBelow: bottom < height)
        let widened = top > 0 || bottom < height
        if !exact && widened && halo < Self.maximumHalo(width: width) {
          halo *= 2
          continue
        }
        if !exact { approximate += 1 }
        let inner = window.values[((y0 - top) * width)..<((y1 - top) * width)].map { UInt32(bitPattern: max(0, $0)) }
        for root in inner where root != 0 { areas[Int(root)] += 1 }
        try grown.write(inner, at: y0 * width)
        break
      }
    }
    return approximate
  }
}
