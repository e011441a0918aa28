/// Labels 4-connected components: pixels for which `isMember` holds, joined wherever two
/// 4-neighbours satisfy `joins`.
///
/// Components are numbered 1, 2, ... in raster order of their first pixel; everything else
/// is 0. O(pixels) with an explicit stack (no recursion, safe for huge objects).
/// - Returns: the label image and the number of components.
public func labelComponents(
  width: Int, height: Int,
  isMember: (Int) -> Bool,
  joins: (_ p: Int, _ q: Int) -> Bool = { _, _ in true }
) -> (labels: LabelImage, count: Int) {
  var labels = LabelImage(width: width, height: height)
  var next: Int32 = 0
  var stack: [Int] = []
  for start in 0..<(width * height) where labels.values[start] == 0 && isMember(start) {
    next += 1
    labels.values[start] = next
    stack.append(start)
    while let p = stack.popLast() {
      let y = p / width
      let x = p - y * width
      func visit(_ q: Int) {
        if labels.values[q] == 0 && isMember(q) && joins(p, q) {
          labels.values[q] = next
          stack.append(q)
        }
      }
      if x > 0 { visit(p - 1) }
      if x + 1 < width { visit(p + 1) }
      if y > 0 { visit(p - width) }
      if y + 1 < height { visit(p + width) }
    }
  }
  return (labels, Int(next))
}

extension LabelImage {
  /// Splits every object into its 4-connected pieces and renumbers them 1...n.
  ///
  /// The protocol's rule for masks: a mask with a single foreground value becomes one
  /// object per connected component. Pixels equal to `ignoreValue` belong to no object.
  public func splitIntoConnectedComponents(ignoreValue: Int32? = nil) -> (labels: LabelImage, count: Int) {
    let values = self.values
    return labelComponents(
      width: width, height: height,
      isMember: { values[$0] != 0 && values[$0] != ignoreValue },
      joins: { values[$0] == values[$1] })
  }
}
