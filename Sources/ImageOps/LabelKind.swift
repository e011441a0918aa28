/// How the values of a label image name objects and classes (the protocol's `label_kind`,
/// Protocol/README.md, "Classes").
public enum LabelKind: Sendable, Equatable {
  /// 0 is background, every other value one object of class 1; a mask with a single
  /// foreground value is split into its 4-connected components.
  case instances
  /// Every value is a class id in 0..<classes, 0 background; the objects of a class are its
  /// 4-connected components.
  case classes(Int)

  /// K: the classes the network predicts for labels of this kind (2 for instances).
  public var classCount: Int {
    switch self {
    case .instances: 2
    case .classes(let count): count
    }
  }
}
