/// Separation borders between touching objects (the paper's Fig. 3c), by 3×3 morphology.
///
/// Touching objects would merge into one blob in a foreground/background target, so a thin
/// seam of background is cut between them: a pixel of object `a` becomes background when one
/// of its 8 neighbours belongs to another object `b` with `b < a` (the object with the larger
/// number gives up its contact pixels). In morphological terms the seam of `a` is
/// `a ∩ dilate3×3(objects numbered below a)`. Afterwards no two pixels of different objects
/// are 8-neighbours, so the 4-connected (and even 8-connected) components of the target's
/// foreground are the objects again, and the seam is one pixel wide (an object thinner than
/// that along the contact may lose those pixels entirely).
///
/// The separation border is then every background pixel whose 3×3 neighbourhood, after the
/// cut, holds two or more different objects: the seam itself (with one pixel beyond each of
/// its ends) plus any one-pixel gap the annotation already had.
public struct SeparatedObjects: Sendable, Equatable {
  /// The input objects with the seams set to 0 (background).
  public var objects: LabelImage
  /// Row-major flags, true on separation-border pixels (all background in `objects`).
  public var borders: [Bool]
}

/// Cuts one-pixel seams between touching objects and finds the separation borders.
///
/// - Parameter labels: instance labels, 0 background, each other value one object (use
///   `LabelImage.instances(ignoreValue:)` first to apply the protocol's rules).
public func separateTouchingObjects(_ labels: LabelImage) -> SeparatedObjects {
  var objects = labels
  forEachNeighbourhood(of: labels) { p, own, neighbours in
    if own != 0 && neighbours.contains(where: { $0 != 0 && $0 != own && $0 < own }) {
      objects.values[p] = 0
    }
  }
  var borders = [Bool](repeating: false, count: labels.values.count)
  forEachNeighbourhood(of: objects) { p, own, neighbours in
    guard own == 0, let first = neighbours.first(where: { $0 != 0 }) else { return }
    borders[p] = neighbours.contains { $0 != 0 && $0 != first }
  }
  return SeparatedObjects(objects: objects, borders: borders)
}

/// Calls `body(p, label, neighbourhood)` for every pixel with the labels of its 3×3
/// neighbourhood (itself included, clipped at the image edge), in raster order.
private func forEachNeighbourhood(
  of labels: LabelImage, _ body: (Int, Int32, ArraySlice<Int32>) -> Void
) {
  let width = labels.width
  let height = labels.height
  var neighbourhood = [Int32](repeating: 0, count: 9)
  labels.values.withUnsafeBufferPointer { input in
    for y in 0..<height {
      let rows = max(0, y - 1)...min(height - 1, y + 1)
      for x in 0..<width {
        var count = 0
        for ny in rows {
          for nx in max(0, x - 1)...min(width - 1, x + 1) {
            neighbourhood[count] = input[ny * width + nx]
            count += 1
          }
        }
        body(y * width + x, input[y * width + x], neighbourhood[0..<count])
      }
    }
  }
}

/// Row-major flags, true on the background pixels that separate touching objects in the
/// training target (see `separateTouchingObjects`). The protocol's label rules apply first:
/// a mask is split into 4-connected components, `ignoreValue` pixels are no object.
public func separationBorders(_ labels: LabelImage, ignoreValue: Int32? = nil) -> [Bool] {
  separateTouchingObjects(labels.instances(ignoreValue: ignoreValue).labels).borders
}
