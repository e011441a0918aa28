/// A corner of the pixel grid: pixel (x, y) covers [x, x+1) × [y, y+1), so its corners are
/// (x, y) ... (x+1, y+1), as in ImageJ's and QuPath's polygon coordinates.
public struct GridPoint: Sendable, Equatable, Hashable {
  public var x: Int
  public var y: Int

  public init(x: Int, y: Int) {
    self.x = x
    self.y = y
  }
}

extension LabelImage {
  /// The outer boundary of every object as a polygon on pixel corners, indexed by label
  /// (`outlines[0]` and labels absent from the image are empty).
  ///
  /// Each outline is traced clockwise (y pointing down) from the top-left corner of the
  /// object's first pixel in raster order, with the object's pixels 4-connected, and keeps
  /// only the corners where it turns. Filling it by the even-odd rule at pixel centres (as
  /// ImageJ and QuPath do) gives exactly the 4-connected component of that first pixel plus
  /// its holes: for an object of one component without holes, exactly its pixels. Where two
  /// parts of the object touch diagonally the outline passes the shared corner twice.
  public var objectOutlines: [[GridPoint]] {
    var first = [Int](repeating: -1, count: Int(max(maximumLabel, 0)) + 1)
    for p in values.indices where values[p] > 0 && first[Int(values[p])] < 0 { first[Int(values[p])] = p }
    return first.indices.map { label in
      label == 0 || first[label] < 0 ? [] : outline(label: values[first[label]], start: first[label])
    }
  }

  /// The outer boundary of the 4-connected component of `label` containing the pixel `start`,
  /// which must be its first pixel in raster order (so the pixel above it is not `label`).
  func outline(label: Int32, start: Int) -> [GridPoint] {
    // Directions clockwise in image coordinates: east, south, west, north.
    let steps = [(1, 0), (0, 1), (-1, 0), (0, -1)]
    func inside(_ x: Int, _ y: Int) -> Bool {
      x >= 0 && y >= 0 && x < width && y < height && values[y * width + x] == label
    }
    // The pixel ahead-left and ahead-right of a vertex when leaving it in `direction`, with
    // the object on the right: moving east from (x, y) these are (x, y−1) and (x, y).
    func aheadPixels(_ x: Int, _ y: Int, _ direction: Int) -> (left: Bool, right: Bool) {
      switch direction {
      case 0: (inside(x, y - 1), inside(x, y))
      case 1: (inside(x, y), inside(x - 1, y))
      case 2: (inside(x - 1, y), inside(x - 1, y - 1))
      default: (inside(x - 1, y - 1), inside(x, y - 1))
      }
    }
    let startPoint = GridPoint(x: start % width, y: start / width)
    var point = startPoint
    var direction = 0
    var corners: [GridPoint] = [startPoint]
    repeat {
      point = GridPoint(x: point.x + steps[direction].0, y: point.y + steps[direction].1)
      // Choose the next edge: turn left when the object continues ahead-left (and ahead-
      // right, 4-connectivity), straight along it, else turn right.
      let ahead = aheadPixels(point.x, point.y, direction)
      let next: Int
      if ahead.right {
        next = ahead.left ? (direction + 3) % 4 : direction
      } else {
        next = (direction + 1) % 4
      }
      if next != direction && point != startPoint { corners.append(point) }
      direction = next
    } while !(point == startPoint && direction == 0)
    return corners
  }
}
