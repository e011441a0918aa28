import ImageOps

/// The objects of a mask met band by band, top to bottom, for images larger than memory: each
/// band's 4-connected components get provisional ids (increasing in raster order of their first
/// pixel), and a union-find joins the ids that touch across a band seam. An object's smallest
/// id is its root, so ordering roots by id orders objects by their first pixel in raster order,
/// as `labelComponents` numbers them on the whole image.
///
/// Ids are UInt32 and below 2^31 (a band's components are at most half its pixels), so they
/// can stand in for `LabelImage` labels. Memory is O(provisional ids), not O(pixels).
public struct ProvisionalObjects: Sendable {
  /// Union-find parents; index 0 (background) unused.
  private var parent: [UInt32] = [0]
  /// Mask pixels of each provisional id.
  public private(set) var maskAreas: [Int] = [0]

  public init() {}

  /// Provisional ids given so far.
  public var count: Int { parent.count - 1 }

  /// Labels one band of the mask (`width` per row, rows below those of the previous band) and
  /// joins its components to those of `rowAbove`, the ids of the image row just above it (nil
  /// for the first band).
  /// - Returns: the band's provisional ids, row-major (0 = background).
  public mutating func labelBand(mask: [UInt8], width: Int, rowAbove: [UInt32]?) -> [UInt32] {
    precondition(width > 0 && mask.count % width == 0, "ProvisionalObjects: \(mask.count) mask pixels, width \(width)")
    let (labels, local) = labelComponents(width: width, height: mask.count / width, isMember: { mask[$0] != 0 })
    let base = UInt32(count)
    precondition(Int(base) + local < Int(Int32.max), "ProvisionalObjects: more than 2^31 provisional objects")
    parent.append(contentsOf: (0..<UInt32(local)).map { base + 1 + $0 })
    var areas = [Int](repeating: 0, count: local + 1)
    let ids = labels.values.map { $0 == 0 ? UInt32(0) : base + UInt32($0) }
    for value in labels.values { areas[Int(value)] += 1 }
    maskAreas.append(contentsOf: areas.dropFirst())
    if let rowAbove {
      precondition(rowAbove.count == width, "ProvisionalObjects: row above has \(rowAbove.count) pixels, width \(width)")
      for x in 0..<min(width, ids.count) where rowAbove[x] != 0 && ids[x] != 0 {
        union(rowAbove[x], ids[x])
      }
    }
    return ids
  }

  /// The root (smallest id) of `id`'s object, compressing the path.
  public mutating func root(of id: UInt32) -> UInt32 {
    var r = id
    while parent[Int(r)] != r { r = parent[Int(r)] }
    var i = id
    while parent[Int(i)] != r {
      let next = parent[Int(i)]
      parent[Int(i)] = r
      i = next
    }
    return r
  }

  /// Every id's root (index 0 → 0).
  public mutating func roots() -> [UInt32] {
    (0...count).map { $0 == 0 ? 0 : root(of: UInt32($0)) }
  }

  private mutating func union(_ a: UInt32, _ b: UInt32) {
    let (ra, rb) = (root(of: a), root(of: b))
    if ra == rb { return }
    // The smaller id stays the root: it is the object's first pixel in raster order.
    if ra < rb { parent[Int(rb)] = ra } else { parent[Int(ra)] = rb }
  }

  /// Final labels for every provisional id, as `instanceLabels` numbers objects on the whole
  /// image: roots in order, 1...n; with `minimumArea` > 1 objects whose area (`areas`, indexed
  /// by root) is smaller become background (0) and the rest are renumbered in the same order.
  /// - Returns: the label of each provisional id (index 0 → 0) and n.
  public static func numbering(roots: [UInt32], areas: [Int], minimumArea: Int) -> (labels: [UInt32], count: Int) {
    var final = [UInt32](repeating: 0, count: roots.count)
    var next: UInt32 = 0
    for id in roots.indices.dropFirst() where roots[id] == UInt32(id) {
      if minimumArea > 1 && areas[id] < minimumArea { continue }
      next += 1
      final[id] = next
    }
    return (roots.map { final[Int($0)] }, Int(next))
  }
}
