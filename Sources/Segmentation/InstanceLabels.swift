import ImageOps
import NeuralCore

/// The binary mask of a foreground probability map: 255 where p > `threshold`, else 0.
/// - Parameter probability: 1×H×W.
/// - Returns: H·W bytes, row-major.
public func foregroundMask(_ probability: Tensor, threshold: Float = 0.5) -> [UInt8] {
  precondition(probability.channels == 1, "foregroundMask: expected a 1×H×W probability, got \(probability.shape)")
  return probability.storage.map { $0 > threshold ? 255 : 0 }
}

/// Instance labels from a foreground probability map.
///
/// Objects are the 4-connected components of the mask (p > `threshold`); the separation
/// borders that the network learnt to predict between touching objects (the paper's Fig. 3,
/// weighted by Eq. 2) keep them apart. Those borders are pixels the objects lost, so by default
/// every object is grown back into them (`growIntoSeparationBorders`): object areas then match
/// annotations in which touching objects touch. With `growthThreshold` below `threshold` they
/// also grow into their rims: pixels with a probability above it (hysteresis, as in Canny's
/// edge linking). That helps where the network is cautious at object edges (EM cells behind
/// membranes) and inflates objects where it is not (fluorescent nuclei), so `train` chooses it
/// per model (`PostProcessingCalibration` in WorkerCore). The seeds stay the components at
/// `threshold`, so growth never merges objects. Objects smaller than `minimumArea` are removed.
/// - Parameters:
///   - probability: the 1×H×W foreground probability.
///   - growInstances: grow objects into the separation borders and rims (the protocol's
///     `grow_instances`).
///   - growthThreshold: pixels above this probability are grown into as well (≤ `threshold`;
///     equal to it: separation borders only).
///   - growthRadius: how far (4-connected steps through background) a border pixel may lie
///     from each of the objects it separates. A gap of up to `growthRadius` pixels between two
///     objects is filled completely; wider gaps are real background and stay (mostly)
///     unfilled. The default 2 covers the training targets' seams: ImageOps cuts a one-pixel
///     seam so that touching objects are not even 8-neighbours, and every seam pixel lies within
///     two 4-connected steps of both objects; it also forgives a predicted gap of two pixels.
///   - minimumArea: objects smaller than this many pixels (after growth) are fragments and
///     become background: specks of noise and pieces of objects that the network half-sees.
/// - Returns: labels 1...count in raster order of each object's first pixel, 0 = background.
public func instanceLabels(
  probability: Tensor, threshold: Float = 0.5, growInstances: Bool = true, growthRadius: Int = 2,
  growthThreshold: Float = InstanceOptions.defaultGrowthThreshold, minimumArea: Int = 0
) -> (labels: LabelImage, count: Int) {
  instanceLabels(
    mask: foregroundMask(probability, threshold: threshold), probability: probability,
    growInstances: growInstances, growthRadius: growthRadius, growthThreshold: min(growthThreshold, threshold),
    minimumArea: minimumArea)
}

/// Instance labels from a mask already computed with `foregroundMask` (saves recomputing it
/// when the mask is written too); see `instanceLabels(probability:threshold:...)`.
/// - Parameter classMap: with more than two classes, the class of every pixel (non-zero
///   exactly where `mask` is): objects are then the 4-connected components of each class, so
///   two touching objects of different classes stay two. Growth is the same for all classes.
public func instanceLabels(
  mask: [UInt8], probability: Tensor, growInstances: Bool = true, growthRadius: Int = 2,
  growthThreshold: Float = InstanceOptions.defaultGrowthThreshold, minimumArea: Int = 0,
  classMap: [UInt8]? = nil
) -> (labels: LabelImage, count: Int) {
  precondition(
    probability.channels == 1 && mask.count == probability.width * probability.height
      && (classMap?.count ?? mask.count) == mask.count,
    "instanceLabels: mask of \(mask.count) pixels for probability \(probability.shape)")
  var (labels, count) = labelComponents(
    width: probability.width, height: probability.height, isMember: { mask[$0] != 0 },
    joins: { p, q in classMap.map { $0[p] == $0[q] } ?? true })
  if growInstances && count >= 1 {
    growIntoSeparationBorders(
      &labels, foreground: mask, probability: probability, radius: growthRadius, growthThreshold: growthThreshold)
  }
  return minimumArea > 1 ? labels.removingObjects(smallerThan: minimumArea) : (labels, count)
}

/// Gives the pixels of separation borders back to the objects they separate.
///
/// A border pixel is a background pixel within `radius` 4-connected steps (through background)
/// of at least two different objects; background that only one object is near (an isolated
/// object's outline) stays background. Border pixels are then assigned by a seeded watershed
/// (priority flood) on the probability map: starting from the objects, the pixel with the
/// highest foreground probability joins next, taking the label of the neighbour that reached
/// it, so neighbouring objects meet along the least likely foreground, the middle of the
/// border. Background pixels whose probability exceeds `growthThreshold` (rims) join the
/// watershed like border pixels. Pixels not connected to an object through such pixels stay
/// background. O(pixels) for finding border pixels plus O(b log b) for the b pixels grown into.
/// - Parameters:
///   - labels: labelled objects (the components of `foreground`); grown in place.
///   - foreground: the mask the objects were labelled from (nonzero = object pixel).
///   - probability: the 1×H×W foreground probability, the watershed's relief.
///   - growthThreshold: background above this probability is grown into too (nil: borders only).
public func growIntoSeparationBorders(
  _ labels: inout LabelImage, foreground: [UInt8], probability: Tensor, radius: Int,
  growthThreshold: Float? = nil
) {
  let width = labels.width
  let height = labels.height
  precondition(
    probability.channels == 1 && probability.width == width && probability.height == height
      && foreground.count == width * height,
    "growIntoSeparationBorders: labels \(width)×\(height), mask \(foreground.count), probability \(probability.shape)")
  precondition(radius >= 0, "growIntoSeparationBorders: negative radius \(radius)")
  precondition(width * height <= Int(UInt32.max), "growIntoSeparationBorders: \(width)×\(height) has too many pixels")
  // While marking, background values mean: 0 no object within the radius, −L only object L so
  // far, `contested` two or more objects (the border pixels; rim pixels above
  // `growthThreshold` are marked so too). Object pixels keep their label.
  let contested = Int32.min
  labels.values.withUnsafeMutableBufferPointer { values in
    // Breadth-first from all objects at once, one distance layer at a time. Each pixel takes
    // at most two distinct labels, so each is enqueued at most twice: O(pixels). (A third label
    // arriving at a pixel that already has two can only reach beyond it after those two.)
    // Frontier entries as two 4-byte arrays rather than tuples: half the memory on huge images.
    var frontier = Frontier()
    var next = Frontier()
    func arrive(_ q: Int, _ label: Int32) {
      let value = values[q]
      if foreground[q] != 0 || value == contested || value == -label { return }
      values[q] = value == 0 ? -label : contested
      next.pixels.append(UInt32(truncatingIfNeeded: q))
      next.labels.append(label)
    }
    func spread(from p: Int, _ label: Int32) {
      let y = p / width
      let x = p - y * width
      if x > 0 { arrive(p - 1, label) }
      if x + 1 < width { arrive(p + 1, label) }
      if y > 0 { arrive(p - width, label) }
      if y + 1 < height { arrive(p + width, label) }
    }
    if radius > 0 {
      for p in 0..<values.count where foreground[p] != 0 { spread(from: p, values[p]) }
    }
    for _ in 1..<max(1, radius) {
      swap(&frontier, &next)
      next.pixels.removeAll(keepingCapacity: true)
      next.labels.removeAll(keepingCapacity: true)
      for i in frontier.pixels.indices { spread(from: Int(frontier.pixels[i]), frontier.labels[i]) }
    }

    // Seeded watershed over the border pixels, highest probability first.
    probability.storage.withUnsafeBufferPointer { relief in
      if let growthThreshold {
        for p in 0..<values.count where foreground[p] == 0 && relief[p] > growthThreshold {
          values[p] = contested
        }
      }
      var queue = PixelPriorityQueue()
      func neighbours(of p: Int, _ body: (Int) -> Void) {
        let y = p / width
        let x = p - y * width
        if y > 0 { body(p - width) }
        if x > 0 { body(p - 1) }
        if x + 1 < width { body(p + 1) }
        if y + 1 < height { body(p + width) }
      }
      // Seeds: border pixels touching an object take the label of their most probable object
      // neighbour (the first in up, left, right, down order among equals).
      for p in 0..<values.count where values[p] == contested {
        var best: (label: Int32, probability: Float)? = nil
        neighbours(of: p) { q in
          if foreground[q] != 0 && relief[q] > best?.probability ?? -Float.infinity {
            best = (values[q], relief[q])
          }
        }
        if let best {
          values[p] = best.label
          queue.push(p, priority: relief[p])
        }
      }
      while let p = queue.pop() {
        let label = values[p]
        neighbours(of: p) { q in
          if values[q] == contested {
            values[q] = label
            queue.push(q, priority: relief[q])
          }
        }
      }
    }
    for p in 0..<values.count where values[p] < 0 { values[p] = 0 }
  }
}

/// One distance layer of the breadth-first search: pixel indices and the label reaching each.
private struct Frontier {
  var pixels: [UInt32] = []
  var labels: [Int32] = []
}
