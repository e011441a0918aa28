import ImageOps
import NeuralCore

/// The built-in synthetic data sets: microscopy-like images with instance ground truth,
/// generated from a seed, so demos and tests need no download.
public enum SyntheticKind: String, CaseIterable, Sendable {
  /// Fluorescence-like nuclei: bright, often touching ellipses (`generateNuclei`).
  case nuclei
  /// Phase-contrast/DIC-like touching cells with halos (`generateCells`).
  case cells
  /// EM-like cell tessellation with thin dark membranes as background (`generateMembranes`).
  case membranes
  /// Three classes: bright round nuclei and dim elongated cells, often touching
  /// (`generateMixed`); its label files hold class ids.
  case mixed

  /// K: the classes of the kind's labels, background included.
  public var classes: Int { self == .mixed ? 3 : 2 }
}

/// One synthetic image (1 × height × width, values in 0...1) and its instance labels (0 is
/// background, objects 1...n, each 4-connected), with the kind's default parameters; for
/// `.mixed` the class image comes from `generateMixed`.
/// The same kind, size and seed always give the same pair.
public func generateSyntheticImage(
  kind: SyntheticKind, width: Int, height: Int, seed: UInt64
) -> (image: Tensor, labels: LabelImage) {
  switch kind {
  case .nuclei: generateNuclei(width: width, height: height, seed: seed)
  case .cells: generateCells(width: width, height: height, seed: seed)
  case .membranes: generateMembranes(width: width, height: height, seed: seed)
  case .mixed: generateMixed(width: width, height: height, seed: seed).imageAndInstances
  }
}
