import NeuralCore

/// Squared distances d1², d2² from pixels to the nearest and the second-nearest object, the
/// d1 and d2 of the paper's Eq. 2, without one full-image transform per object.
///
/// Every object gets an exact Euclidean distance transform (`LowerEnvelope`) restricted to its
/// bounding box grown by `radius`; a pixel outside that window is farther than `radius` from
/// the object. Each pixel keeps the two smallest distances it receives. The result is exact
/// wherever d2 ≤ radius and +infinity where an object is farther than `radius`. The work per
/// object is (box + 2·radius)², so thousands of small objects cost about as much as a few
/// passes over the image. Rows are split into bands over `parallel`'s threads; each band
/// writes only its own rows.
///
/// - Parameters:
///   - objects: instance labels numbered 1...objectCount (0 background).
///   - candidates: row-major flags of the pixels whose distances are wanted.
/// - Returns: row-major squared distances (first ≤ second).
func nearestTwoObjectDistances(
  objects: LabelImage, objectCount: Int, candidates: [Bool], radius: Int, parallel: Parallel
) -> (first: [Float], second: [Float]) {
  let width = objects.width
  let height = objects.height
  precondition(candidates.count == width * height, "nearestTwoObjectDistances: mask size")
  var first = [Float](repeating: .infinity, count: width * height)
  var second = first
  let boxes = ObjectBox.boxes(of: objects, count: objectCount)
  let radiusSquared = Float(radius * radius)
  first.withUnsafeMutableBufferPointer { d1 in
    second.withUnsafeMutableBufferPointer { d2 in
      objects.values.withUnsafeBufferPointer { labels in
        candidates.withUnsafeBufferPointer { isCandidate in
          parallel.forEachRange(count: height) { band in
            var envelope = LowerEnvelope(capacity: 64)
            var column: [Float] = []
            for object in boxes.indices {
              let box = boxes[object]
              if box.isEmpty { continue }
              let windowRows = max(0, box.rows.lowerBound - radius)..<min(height, box.rows.upperBound + radius)
              let bandRows = windowRows.clamped(to: band)
              if bandRows.isEmpty { continue }
              let windowColumns = max(0, box.columns.lowerBound - radius)..<min(width, box.columns.upperBound + radius)
              let label = Int32(object)
              // Column pass over the box's columns: distance to the object within each column.
              let boxWidth = box.columns.count
              let needed = windowRows.count * boxWidth
              if column.count < needed { column = [Float](repeating: 0, count: needed) }
              column.withUnsafeMutableBufferPointer { g in
                for (r, y) in windowRows.enumerated() {
                  let inBox = box.rows.contains(y)
                  let source = y * width + box.columns.lowerBound
                  for c in 0..<boxWidth {
                    if inBox && labels[source + c] == label {
                      g[r * boxWidth + c] = 0
                    } else {
                      g[r * boxWidth + c] = r > 0 ? g[(r - 1) * boxWidth + c] + 1 : .infinity
                    }
                  }
                }
                for r in stride(from: windowRows.count - 2, through: 0, by: -1) {
                  for c in 0..<boxWidth {
                    g[r * boxWidth + c] = min(g[r * boxWidth + c], g[(r + 1) * boxWidth + c] + 1)
                  }
                }
              }
              // Row pass on this band's rows: exact 2-D distances, merged into the two smallest.
              let siteOffset = box.columns.lowerBound - windowColumns.lowerBound
              for y in bandRows {
                let r = y - windowRows.lowerBound
                envelope.removeAll()
                var nearest = Float.infinity
                for c in 0..<boxWidth {
                  let g = column[r * boxWidth + c]
                  if g < .infinity {
                    envelope.append(site: c + siteOffset, value: g * g)
                    nearest = min(nearest, g)
                  }
                }
                if nearest * nearest > radiusSquared { continue }
                let rowStart = y * width + windowColumns.lowerBound
                envelope.evaluate(count: windowColumns.count) { q, distance in
                  let p = rowStart + q
                  guard distance <= radiusSquared && isCandidate[p] else { return }
                  if distance < d1[p] {
                    d2[p] = d1[p]
                    d1[p] = distance
                  } else if distance < d2[p] {
                    d2[p] = distance
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return (first, second)
}

/// The bounding box of one object (half-open row and column ranges).
struct ObjectBox {
  var rows: Range<Int>
  var columns: Range<Int>
  var isEmpty: Bool { rows.isEmpty }

  /// Boxes of objects 1...count, indexed by label (index 0 and absent objects are empty).
  static func boxes(of objects: LabelImage, count: Int) -> [ObjectBox] {
    var top = [Int](repeating: Int.max, count: count + 1)
    var bottom = [Int](repeating: Int.min, count: count + 1)
    var left = top
    var right = bottom
    for y in 0..<objects.height {
      for x in 0..<objects.width {
        let label = Int(objects.values[y * objects.width + x])
        if label <= 0 { continue }
        precondition(label <= count, "ObjectBox: label \(label) above object count \(count)")
        top[label] = min(top[label], y)
        bottom[label] = max(bottom[label], y)
        left[label] = min(left[label], x)
        right[label] = max(right[label], x)
      }
    }
    return (0...count).map { label in
      guard top[label] <= bottom[label] else { return ObjectBox(rows: 0..<0, columns: 0..<0) }
      return ObjectBox(rows: top[label]..<(bottom[label] + 1), columns: left[label]..<(right[label] + 1))
    }
  }
}
