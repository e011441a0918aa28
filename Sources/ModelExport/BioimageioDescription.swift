/// The `bioimageio.yaml` of a model package (bioimage.io model description, format 0.5),
/// written as YAML text: a small fixed structure, every string double-quoted and escaped.
///
/// Sizes: the input's spatial axes are `{min, step}` (legal tiles are min + k·step, the
/// network's smallest legal input and 2^depth); the output's refer to the input's with offset
/// −2·margin (the unpadded convolutions' loss). Preprocessing is `scale_range` per sample and
/// channel with the model's percentiles (see `ModelPackage` for how it relates to `segment`).
/// The softmax is in the graph, so there is no postprocessing.
public struct BioimageioDescription: Sendable, Equatable {
  public static let formatVersion = "0.5.4"

  public var name: String
  public var description: String
  public var authors: [String]
  public var inputChannelNames: [String]
  public var classNames: [String]
  /// Smallest legal input edge and the step between legal edges.
  public var minimumInputSize: Int
  public var inputSizeStep: Int
  /// Pixels lost on each side between input and output.
  public var margin: Int
  public var lowPercentile: Float
  public var highPercentile: Float
  /// `eps` of `scale_range`: out = (x − low) / (high − low + eps).
  public var epsilon: Float
  public var opsetVersion: Int
  /// File names in the package and their SHA-256 (hex).
  public var weights: (file: String, sha256: String)
  public var testInput: (file: String, sha256: String)
  public var testOutput: (file: String, sha256: String)
  /// Images for people (PNG): the input's only for one-channel models.
  public var sampleInput: (file: String, sha256: String)?
  public var sampleOutput: (file: String, sha256: String)?
  public var documentationFile: String
  public var coverFile: String
  public var tags: [String]
  /// Micrometres per pixel, when the model knows it: `config.unet_worker.pixel_size_um`. Not
  /// the space axes' `scale`: bioimageio.spec 0.5.12 checks a referenced size in floating point
  /// (104 · 0.65 / 0.65 − 40 = 64.00000000000001 ≠ 64), so most pixel sizes would fail validation.
  public var pixelSize: Double? = nil

  public static let license = "CC-BY-4.0"
  public static let citationText =
    "Ronneberger, O., Fischer, P., Brox, T. (2015). U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015, LNCS 9351, 234-241."
  public static let citationDOI = "10.1007/978-3-319-24574-4_28"

  public static func == (a: BioimageioDescription, b: BioimageioDescription) -> Bool { a.yaml == b.yaml }

  /// The description as YAML.
  public var yaml: String {
    var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
    func list(_ values: [String]) -> String { "[" + values.map(Self.quoted).joined(separator: ", ") + "]" }
    add("type: model")
    add("format_version: \(Self.formatVersion)")
    add("name: \(Self.quoted(name))")
    add("description: \(Self.quoted(description))")
    add("authors:")
    for author in authors { add("  - name: \(Self.quoted(author))") }
    add("cite:")
    add("  - text: \(Self.quoted(Self.citationText))")
    add("    doi: \(Self.quoted(Self.citationDOI))")
    add("license: \(Self.quoted(Self.license))")
    add("documentation: \(Self.quoted(documentationFile))")
    add("covers: \(list([coverFile]))")
    add("tags: \(list(tags))")
    add("inputs:")
    add("  - id: \(Self.quoted(UNetONNXGraph.inputName))")
    add("    description: \(Self.quoted("image tile, any legal size (min + k * step); normalised by the preprocessing"))")
    add("    axes:")
    add("      - type: batch")
    add("      - type: channel")
    add("        channel_names: \(list(inputChannelNames))")
    for axis in ["y", "x"] {
      add("      - type: space")
      add("        id: \(axis)")
      add("        size: {min: \(minimumInputSize), step: \(inputSizeStep)}")
    }
    add("    test_tensor:")
    add("      source: \(Self.quoted(testInput.file))")
    add("      sha256: \(Self.quoted(testInput.sha256))")
    if let sampleInput {
      add("    sample_tensor:")
      add("      source: \(Self.quoted(sampleInput.file))")
      add("      sha256: \(Self.quoted(sampleInput.sha256))")
    }
    add("    data: {type: float32}")
    add("    preprocessing:")
    add("      - id: scale_range")
    add("        kwargs:")
    add("          axes: [y, x]")
    add("          min_percentile: \(Self.number(lowPercentile))")
    add("          max_percentile: \(Self.number(highPercentile))")
    add("          eps: \(Self.number(epsilon))")
    add("outputs:")
    add("  - id: \(Self.quoted(UNetONNXGraph.outputName))")
    add("    description: \(Self.quoted("class probabilities (softmax over the channels), \(margin) pixels smaller than the input on each side"))")
    add("    axes:")
    add("      - type: batch")
    add("      - type: channel")
    add("        channel_names: \(list(classNames))")
    for axis in ["y", "x"] {
      add("      - type: space")
      add("        id: \(axis)")
      add("        size: {tensor_id: \(Self.quoted(UNetONNXGraph.inputName)), axis_id: \(axis), offset: \(-2 * margin)}")
    }
    add("    test_tensor:")
    add("      source: \(Self.quoted(testOutput.file))")
    add("      sha256: \(Self.quoted(testOutput.sha256))")
    if let sampleOutput {
      add("    sample_tensor:")
      add("      source: \(Self.quoted(sampleOutput.file))")
      add("      sha256: \(Self.quoted(sampleOutput.sha256))")
    }
    add("    data: {type: float32, range: [0.0, 1.0]}")
    add("weights:")
    add("  onnx:")
    add("    source: \(Self.quoted(weights.file))")
    add("    sha256: \(Self.quoted(weights.sha256))")
    add("    opset_version: \(opsetVersion)")
    if let pixelSize {
      add("config:")
      add("  unet_worker:")
      add("    pixel_size_um: \(Self.number(pixelSize))")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `text` as a double-quoted YAML scalar: backslash, quote and control characters escaped.
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16)
          result += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }

  /// A float as a YAML number that YAML 1.1 and 1.2 readers both take as a float: always
  /// with a decimal point (`1.0`, `99.8`, `1.0e-06`).
  static func number(_ value: Float) -> String { number(text: value.description) }

  static func number(_ value: Double) -> String { number(text: value.description) }

  private static func number(text: String) -> String {
    let parts = text.split(separator: "e", maxSplits: 1)
    let mantissa = parts.first.map(String.init) ?? text
    let withPoint = mantissa.contains(".") ? mantissa : mantissa + ".0"
    return parts.count == 2 ? withPoint + "e" + parts[1] : withPoint
  }
}
