import ImageOps

/// The instance labels of a partition: each owner's 4-connected pieces become separate
/// objects, pieces under `minimumArea` pixels (slivers left where shapes overlap or leave
/// the image) become background, and objects are numbered 1...n in raster order.
///
/// Renderers draw from the result, so image and labels agree on every pixel.
func instanceLabels(owner: [Int32], width: Int, height: Int, minimumArea: Int) -> LabelImage {
  LabelImage(width: width, height: height, values: owner).splitIntoConnectedComponents().labels
    .removingObjects(smallerThan: minimumArea).labels
}

/// Pixels of an object with a 4-neighbour in a different object: the shared borders
/// of touching objects (background neighbours do not count).
func sharedBorders(_ labels: LabelImage) -> [Bool] {
  let width = labels.width
  let height = labels.height
  var border = [Bool](repeating: false, count: width * height)
  for y in 0..<height {
    for x in 0..<width {
      let value = labels[y, x]
      guard value != 0 else { continue }
      func differs(_ other: Int32) -> Bool { other != 0 && other != value }
      if (x > 0 && differs(labels[y, x - 1])) || (x + 1 < width && differs(labels[y, x + 1]))
        || (y > 0 && differs(labels[y - 1, x])) || (y + 1 < height && differs(labels[y + 1, x]))
      {
        border[y * width + x] = true
      }
    }
  }
  return border
}
