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
  let cut = mapNeighbourhoods(labels) { own, smallest, _ in own != 0 && smallest < own }
  for p in objects.values.indices where cut[p] { objects.values[p] = 0 }
  let borders = mapNeighbourhoods(objects) { own, smallest, largest in own == 0 && smallest < largest }
  return SeparatedObjects(objects: objects, borders: borders)
}

/// Row-major `decide(label, smallest, largest)` per pixel, where smallest and largest are the
/// extreme non-zero labels of the pixel's 3×3 neighbourhood (itself included, clipped at the
/// image edge), `(Int32.max, Int32.min)` when there is none. Two different objects are
/// present exactly when `smallest < largest`.
@inline(__always)
private func mapNeighbourhoods(
  _ labels: LabelImage, _ decide: (Int32, Int32, Int32) -> Bool
) -> [Bool] {
  let width = labels.width
  let height = labels.height
  var result = [Bool](repeating: false, count: width * height)
  labels.values.withUnsafeBufferPointer { input in
    for y in 0..<height {
      let rows = max(0, y - 1)...min(height - 1, y + 1)
      for x in 0..<width {
        var smallest = Int32.max
        var largest = Int32.min
        for ny in rows {
          for nx in max(0, x - 1)...min(width - 1, x + 1) {
            let label = input[ny * width + nx]
            if label != 0 {
              smallest = min(smallest, label)
              largest = max(largest, label)
            }
          }
        }
        result[y * width + x] = decide(input[y * width + x], smallest, largest)
      }
    }
  }
  return result
}

/// Row-major flags, true on the background pixels that separate touching objects in the
/// training target (see `separateTouchingObjects`). The protocol's label rules apply first:
/// a mask is split into 4-connected components, `ignoreValue` pixels are no object.
public func separationBorders(_ labels: LabelImage, ignoreValue: Int32? = nil) -> [Bool] {
  separateTouchingObjects(labels.instances(ignoreValue: ignoreValue).labels).borders
}
