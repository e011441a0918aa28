import ImageOps

/// The instances of a K-class segmentation: objects 1...count, each of one foreground class.
public struct ClassInstances: Sendable, Equatable {
  public var labels: LabelImage
  public var count: Int
  /// `objectClasses[l]`: the class of object l (index 0, background, is 0).
  public var objectClasses: [UInt8]
  /// n_1 ... n_(K−1): the objects of each foreground class (the protocol's `objects_per_class`).
  public var objectsPerClass: [Int]

  /// Classes each object from the class map of its seed pixels (grown pixels are background
  /// in the map; an object's seed pixels all share one class).
  init(labels: LabelImage, count: Int, classMap: [UInt8], classes: Int) {
    var objectClasses = [UInt8](repeating: 0, count: count + 1)
    for p in classMap.indices where classMap[p] != 0 && labels.values[p] != 0 {
      objectClasses[Int(labels.values[p])] = classMap[p]
    }
    var perClass = [Int](repeating: 0, count: max(classes - 1, 0))
    for label in objectClasses.indices.dropFirst() where objectClasses[label] != 0 {
      perClass[Int(objectClasses[label]) - 1] += 1
    }
    self.labels = labels
    self.count = count
    self.objectClasses = objectClasses
    self.objectsPerClass = perClass
  }
}
