import NeuralCore

/// A Voronoi tessellation with membranes: every pixel goes to its nearest seed, except
/// pixels within a half-width of a cell boundary, which are membrane (owner 0).
///
/// Seeds sit one per square bin of side `spacing`, jittered anywhere in the bin, over the
/// image plus a margin, so cells have similar but not equal sizes and no cell is missing at
/// the border. A pixel p (displaced by `displacement`, which bends the straight Voronoi
/// edges) is membrane if its distance to the bisector between its nearest seed s₁ and any
/// other seed s, (|p − s|² − |p − s₁|²) / 2|s − s₁|, is below `halfWidth[p]`. That distance is
/// at least (|p − s| − |p − s₁|) / 2, and p's own bin holds a seed within √2·spacing, so only
/// seeds within √2·spacing + 2·halfWidth matter; for spacing ≥ 8 and halfWidth ≤ spacing / 4
/// they all lie in the 5 × 5 bins around p's bin, which is all this searches.
/// - Returns: owner per pixel, 1 + seed index, or 0 on membranes.
func voronoiWithMembranes(
  width: Int, height: Int, spacing: Float, halfWidth: [Float], displacement: DisplacementField,
  random: inout RandomSource
) -> [Int32] {
  precondition(spacing >= 8, "voronoiWithMembranes: spacing \(spacing) below 8 pixels")
  precondition(
    halfWidth.allSatisfy { $0 <= spacing / 4 },
    "voronoiWithMembranes: membranes wider than half the cell spacing \(spacing)")
  let margin = spacing + displacement.bound
  let binsX = Int(((Float(width) + 2 * margin) / spacing).rounded(.up))
  let binsY = Int(((Float(height) + 2 * margin) / spacing).rounded(.up))
  var seedX = [Float](repeating: 0, count: binsX * binsY)
  var seedY = [Float](repeating: 0, count: binsX * binsY)
  for by in 0..<binsY {
    for bx in 0..<binsX {
      seedX[by * binsX + bx] = -margin + (Float(bx) + random.nextUniform()) * spacing
      seedY[by * binsX + bx] = -margin + (Float(by) + random.nextUniform()) * spacing
    }
  }
  let reachBins = 2
  var owner = [Int32](repeating: 0, count: width * height)
  var candidates: [Int] = []
  candidates.reserveCapacity((2 * reachBins + 1) * (2 * reachBins + 1))
  for y in 0..<height {
    for x in 0..<width {
      let p = y * width + x
      let px = Float(x) + displacement.dx[p]
      let py = Float(y) + displacement.dy[p]
      let bx = Int(((px + margin) / spacing).rounded(.down))
      let by = Int(((py + margin) / spacing).rounded(.down))
      candidates.removeAll(keepingCapacity: true)
      var nearest = -1
      var nearestDistance2 = Float.infinity
      for cy in max(0, by - reachBins)...min(binsY - 1, by + reachBins) {
        for cx in max(0, bx - reachBins)...min(binsX - 1, bx + reachBins) {
          let seed = cy * binsX + cx
          candidates.append(seed)
          let dx = seedX[seed] - px
          let dy = seedY[seed] - py
          let d2 = dx * dx + dy * dy
          if d2 < nearestDistance2 {
            nearestDistance2 = d2
            nearest = seed
          }
        }
      }
      var onMembrane = false
      let h = halfWidth[p]
      // The bisector distance is at least (|p − s| − |p − s₁|) / 2: skip seeds beyond 2h more.
      let nearestDistance = nearestDistance2.squareRoot()
      let cutoff = (nearestDistance + 2 * h) * (nearestDistance + 2 * h)
      for seed in candidates where seed != nearest {
        let dx = seedX[seed] - px
        let dy = seedY[seed] - py
        let d2 = dx * dx + dy * dy
        guard d2 < cutoff else { continue }
        let sx = seedX[seed] - seedX[nearest]
        let sy = seedY[seed] - seedY[nearest]
        let separation = (sx * sx + sy * sy).squareRoot()
        if (d2 - nearestDistance2) < 2 * h * separation {
          onMembrane = true
          break
        }
      }
      owner[p] = onMembrane ? 0 : Int32(nearest + 1)
    }
  }
  return owner
}
