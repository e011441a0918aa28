import ImageOps
import NeuralCore
import Segmentation
import SyntheticData

/// A bioimage.io model package of a trained U-Net, built in memory: a stored zip holding
/// `bioimageio.yaml`, the ONNX weights, a test input and output (`.npy`), a cover image and a
/// README.
///
/// The test input is a synthetic nuclei image (`generateSyntheticImage`, kind nuclei, seed 1,
/// the same in every channel) of one legal input tile; the test output is this network's
/// probabilities on it after bioimage.io's `scale_range` preprocessing, computed here (not by
/// any outside tool), so `bioimageio test` checks the ONNX graph against our own forward pass.
///
/// Normalisation: `segment` maps each channel's percentiles (low → 0, high → 1) over the whole
/// image, `(x − low) / (high − low)`. The package declares `scale_range` with the same
/// percentiles over the axes y and x of each sample and channel, which computes them over the
/// tensor it is given (the whole image in deepImageJ and bioimageio.core when they do not
/// tile) and adds `eps` = 1e-6 to the denominator. So the package reproduces `segment` up to a
/// relative 1e-6 / (high − low) when it sees the whole image, and differs where a consumer
/// normalises tile by tile. (Our fallback to the minimum and maximum for a channel whose two
/// percentiles coincide has no bioimage.io counterpart.)
public struct ModelPackage: Sendable {
  /// What the package describes and how.
  public struct Request: Sendable {
    public var network: UNet
    public var normalization: IntensityNormalization
    /// One per class, background first; nil: "background", "foreground" (or "class1", ...).
    public var classNames: [String]?
    public var name: String
    public var description: String
    public var authors: [String]
    /// Output edge of the test tile (a legal output size).
    public var testOutputSize: Int
    /// Free text for the README (e.g. the training history).
    public var trainingSummary: String
    /// Micrometres per pixel of the training images, when known.
    public var pixelSize: Double? = nil
    /// The exporting program's version, for the ONNX file's `producer_version`.
    public var producerVersion = ""

    public init(
      network: UNet, normalization: IntensityNormalization, classNames: [String]?, name: String,
      description: String, authors: [String], testOutputSize: Int, trainingSummary: String = ""
    ) {
      self.network = network
      self.normalization = normalization
      self.classNames = classNames
      self.name = name
      self.description = description
      self.authors = authors
      self.testOutputSize = testOutputSize
      self.trainingSummary = trainingSummary
    }
  }

  public static let descriptionFile = "bioimageio.yaml"
  public static let weightsFile = "weights.onnx"
  public static let testInputFile = "test_input.npy"
  public static let testOutputFile = "test_output.npy"
  public static let coverFile = "cover.png"
  public static let sampleInputFile = "sample_input.png"
  public static let sampleOutputFile = "sample_output.png"
  public static let documentationFile = "README.md"
  /// `scale_range`'s eps (its default).
  public static let epsilon: Float = 1e-6

  /// The zip archive.
  public let bytes: [UInt8]
  public let description: BioimageioDescription
  /// The test input as written (raw, before preprocessing), channels × s × s.
  public let testInput: Tensor
  /// The test output as written, classes × t × t.
  public let testOutput: Tensor

  /// Builds the package; `testOutputSize` must be legal for the network.
  public init(_ request: Request, parallel: Parallel) {
    let network = request.network
    let configuration = network.configuration
    let geometry = configuration.geometry
    guard let inputSize = geometry.inputSize(forOutputSize: request.testOutputSize),
      let minimumInput = geometry.inputSize(forOutputSize: geometry.minimumOutputSize)
    else { preconditionFailure("ModelPackage: test tile \(request.testOutputSize) is not legal") }

    let input = Self.testImage(channels: configuration.inputChannels, size: inputSize)
    let normalized = Self.scaleRange(input, request.normalization)
    let output = network.probabilities(normalized, parallel: parallel)

    var graph = UNetONNXGraph.model(
      of: network, documentation: "U-Net (Ronneberger et al. 2015) exported by unet-worker: \(configuration)")
    graph.producerVersion = request.producerVersion
    let onnx = graph.encoded()
    let inputNpy = NumpyArray.float32(shape: [1, input.channels, input.height, input.width], values: input.storage)
    let outputNpy = NumpyArray.float32(shape: [1, output.channels, output.height, output.width], values: output.storage)
    let classNames = request.classNames ?? Self.defaultClassNames(configuration.classes)
    // Samples for people: the raw input stretched to 0...255 (one-channel models only: a
    // grayscale PNG has no channel axis) and the foreground probability.
    let sampleInput = configuration.inputChannels == 1 ? Self.grayPNG(Self.stretched(input.channel(0))) : nil
    let sampleOutput = Self.grayPNG(Self.foreground(output))
    let description = BioimageioDescription(
      name: request.name, description: request.description, authors: request.authors,
      inputChannelNames: (0..<configuration.inputChannels).map { "channel\($0)" }, classNames: classNames,
      minimumInputSize: minimumInput, inputSizeStep: 1 << configuration.depth, margin: geometry.margin,
      lowPercentile: request.normalization.lowPercentile, highPercentile: request.normalization.highPercentile,
      epsilon: Self.epsilon, opsetVersion: Int(ONNX.opsetVersion),
      weights: (Self.weightsFile, SHA256.hexDigest(onnx)),
      testInput: (Self.testInputFile, SHA256.hexDigest(inputNpy)),
      testOutput: (Self.testOutputFile, SHA256.hexDigest(outputNpy)),
      sampleInput: sampleInput.map { (Self.sampleInputFile, SHA256.hexDigest($0)) },
      sampleOutput: (Self.sampleOutputFile, SHA256.hexDigest(sampleOutput)),
      documentationFile: Self.documentationFile, coverFile: Self.coverFile,
      tags: ["unet", "segmentation", "2d", "unet-worker", "onnx"], pixelSize: request.pixelSize)
    let readme = Self.readme(request, description: description, parameters: network.parameterCount)

    var zip = StoredZip()
    zip.add(name: Self.descriptionFile, data: Array(description.yaml.utf8))
    zip.add(name: Self.documentationFile, data: Array(readme.utf8))
    zip.add(name: Self.coverFile, data: Self.cover(normalized: normalized, output: output))
    zip.add(name: Self.testInputFile, data: inputNpy)
    zip.add(name: Self.testOutputFile, data: outputNpy)
    if let sampleInput { zip.add(name: Self.sampleInputFile, data: sampleInput) }
    zip.add(name: Self.sampleOutputFile, data: sampleOutput)
    zip.add(name: Self.weightsFile, data: onnx)
    self.bytes = zip.bytes
    self.description = description
    self.testInput = input
    self.testOutput = output
  }

  /// Whether a network's weights fit one ONNX file: protobuf messages are limited to 2 GiB
  /// (larger models would need ONNX external data, which we do not write).
  public static func fits(parameterCount: Int) -> Bool { parameterCount < 500_000_000 }

  static func defaultClassNames(_ classes: Int) -> [String] {
    classes == 2 ? ["background", "foreground"] : ["background"] + (1..<classes).map { "class\($0)" }
  }

  /// The synthetic test image: nuclei of seed 1, values in 0...1, repeated in every channel.
  static func testImage(channels: Int, size: Int) -> Tensor {
    let plane = generateSyntheticImage(kind: .nuclei, width: size, height: size, seed: 1).image.storage
    var values: [Float] = []
    values.reserveCapacity(channels * plane.count)
    for _ in 0..<channels { values += plane }
    return Tensor(shape: Shape(channels: channels, height: size, width: size), storage: values)
  }

  /// bioimage.io's `scale_range` over y and x of each channel with the model's percentiles:
  /// (x − low) / (high − low + eps).
  static func scaleRange(_ image: Tensor, _ normalization: IntensityNormalization) -> Tensor {
    let plane = image.shape.planeSize
    var output = [Float](repeating: 0, count: image.shape.count)
    for channel in 0..<image.channels {
      let start = channel * plane
      let values = Array(image.storage[start..<(start + plane)])
      let (low, high) = normalization.mappedRange(values)
      let scale = 1 / (high - low + epsilon)
      for i in 0..<plane { output[start + i] = (values[i] - low) * scale }
    }
    return Tensor(shape: image.shape, storage: output)
  }

  /// The foreground probability 1 − p(background) of class probabilities (K × h × w).
  static func foreground(_ probabilities: Tensor) -> Tensor {
    Tensor(shape: Shape(channels: 1, height: probabilities.height, width: probabilities.width),
      storage: probabilities.channel(0).storage.map { 1 - $0 })
  }

  /// One channel mapped linearly from its minimum and maximum to 0...1.
  static func stretched(_ plane: Tensor) -> Tensor {
    let low = plane.storage.min() ?? 0
    let high = plane.storage.max() ?? 1
    let scale: Float = high > low ? 1 / (high - low) : 0
    return Tensor(shape: plane.shape, storage: plane.storage.map { ($0 - low) * scale })
  }

  /// A one-channel tensor with values in 0...1 as an 8-bit grayscale PNG.
  static func grayPNG(_ plane: Tensor) -> [UInt8] {
    PNGImage.grayscale(
      width: plane.width, height: plane.height,
      pixels: plane.storage.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) })
  }

  /// The cover (2:1): the normalised test input (channel 0) beside the foreground
  /// probability (1 − background), centred at its place in the input tile.
  static func cover(normalized: Tensor, output: Tensor) -> [UInt8] {
    let size = normalized.height
    let offset = (size - output.height) / 2
    var pixels = [UInt8](repeating: 0, count: 2 * size * size)
    func gray(_ value: Float) -> UInt8 { UInt8(max(0, min(255, (value * 255).rounded()))) }
    for y in 0..<size {
      for x in 0..<size { pixels[y * 2 * size + x] = gray(normalized[0, y, x]) }
    }
    for y in 0..<output.height {
      for x in 0..<output.width {
        pixels[(y + offset) * 2 * size + size + x + offset] = gray(1 - output[0, y, x])
      }
    }
    return PNGImage.grayscale(width: 2 * size, height: size, pixels: pixels)
  }

  static func readme(_ request: Request, description: BioimageioDescription, parameters: Int) -> String {
    let configuration = request.network.configuration
    let margin = description.margin
    let minimum = description.minimumInputSize
    let step = description.inputSizeStep
    var text = """
      # \(request.name)

      \(request.description)

      A U-Net (Ronneberger, Fischer, Brox 2015, *U-Net: Convolutional Networks for Biomedical
      Image Segmentation*, MICCAI, doi:\(BioimageioDescription.citationDOI)) trained with
      unet-worker and exported by its `export` method.

      ## Network
      - \(configuration.inputChannels) input channel(s), \(configuration.classes) classes \
      (\(description.classNames.joined(separator: ", "))), \(configuration.baseChannels) feature maps \
      on the first level, \(configuration.depth) poolings, \(parameters) parameters.
      - Unpadded 3x3 convolutions with ReLU, 2x2 max-pooling, 2x2 up-convolutions with ReLU,
        crop-and-concatenate, a final 1x1 convolution and a softmax over the classes (in the graph).
      - Weights: ONNX, opset \(description.opsetVersion) (`\(ModelPackage.weightsFile)`), operators
        Conv, Relu, MaxPool, ConvTranspose, Slice, Concat, Softmax; batch and spatial sizes are dynamic.

      ## Tiles
      The network loses \(margin) pixels on each side: an input tile of edge s gives an output of
      edge s - \(2 * margin). Legal input edges are \(minimum) + k * \(step) (k = 0, 1, ...), for example
      \(minimum), \(minimum + step), \(minimum + 2 * step). For seamless results on large images,
      predict overlapping tiles whose outputs abut and mirror the image at its borders (the paper's
      overlap-tile strategy), as unet-worker's `segment` does.

      ## Normalisation
      Each channel is mapped linearly so that its percentile \(BioimageioDescription.number(description.lowPercentile)) becomes 0 and \
      its percentile \(BioimageioDescription.number(description.highPercentile)) becomes 1, without clipping
      (bioimage.io `scale_range` over y and x, eps \(BioimageioDescription.number(description.epsilon))). unet-worker computes the
      percentiles over the whole image; a tool that normalises each tile separately gets slightly
      different probabilities.

      ## Validation
      `\(ModelPackage.testInputFile)` is a synthetic nuclei image (seed 1) of one legal input tile,
      `\(ModelPackage.testOutputFile)` the probabilities that unet-worker's own network computes for it
      after the normalisation above; `bioimageio test` reproduces them with the ONNX weights.
      unet-worker checks at every build that onnxruntime's probabilities on a tile equal its
      `segment` probabilities within 1e-4. For the quality on real data, validate the model on
      annotated images of your own (unet-worker's `evaluate`).

      ## Use
      - deepImageJ / Fiji: *Plugins > DeepImageJ > DeepImageJ Install Model*, choose this zip file.
      - Python: `bioimageio predict` or `bioimageio.core.predict`, or onnxruntime on
        `\(ModelPackage.weightsFile)` after the normalisation above.

      Pixel size: \(request.pixelSize.map { "\($0) micrometres per pixel (the training images'); resample other images to it" } ?? "not recorded at training").

      License of the weights: \(BioimageioDescription.license).

      """
    if !request.trainingSummary.isEmpty { text += "\n## Training\n\(request.trainingSummary)\n" }
    return text
  }
}
