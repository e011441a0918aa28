/// Mirror extrapolation of coordinates, as the paper extrapolates missing context at image
/// borders (Fig. 2).
///
/// Reflection does not repeat the edge pixel: for n = 4 the row ..., 2, 1, [0, 1, 2, 3], 2, 1,
/// 0, 1, ... continues outward. Coordinates far outside reflect repeatedly (period 2n − 2),
/// so context larger than the image is still defined. A one-pixel extent maps everything to 0.
@inlinable
public func mirrorIndex(_ i: Int, count n: Int) -> Int {
  precondition(n > 0, "mirrorIndex: empty extent")
  if n == 1 { return 0 }
  if i >= 0 && i < n { return i }
  let period = 2 * n - 2
  var m = i % period
  if m < 0 { m += period }
  return m < n ? m : period - m
}
