import ImageOps
import NeuralCore
import Testing

@testable import ModelExport

/// The U-Net → ONNX translation and the package's parts, on small networks.
@Suite struct ModelPackageTests {
  static func network(depth: Int, classes: Int = 2) -> UNet {
    var rng = RandomSource(seed: 3)
    return UNet(configuration: UNetConfiguration(inputChannels: 1, classes: classes, baseChannels: 2, depth: depth), rng: &rng)
  }

  @Test(arguments: [1, 2, 3])
  func graphHasOneNodePerOperation(depth: Int) {
    let model = UNetONNXGraph.model(of: Self.network(depth: depth))
    // Contracting: 2 (Conv + Relu) × 2 per level and the bottom, a MaxPool per level;
    // expansive: ConvTranspose + Relu, Slice, Concat, 2 (Conv + Relu) per level; Conv + Softmax.
    #expect(model.nodes.count == 13 * depth + 6, "depth \(depth)")
    #expect(model.nodes.filter { $0.opType == "Slice" }.count == depth)
    #expect(model.nodes.last?.opType == "Softmax")
    #expect(model.nodes.last?.outputs == [UNetONNXGraph.outputName])
    // Weight and bias of every layer (5d + 3 layers), starts/ends/axes of every crop.
    #expect(model.initializers.count == 2 * (5 * depth + 3) + 3 * depth)
    let parameters = model.initializers.filter { $0.dataType == .float }.map { $0.rawData.count / 4 }.reduce(0, +)
    #expect(parameters == Self.network(depth: depth).parameterCount)
  }

  @Test func cropMarginsMatchTheGeometry() {
    // Depth 2, input 44: down0.conv1 40, down1.conv1 16, bottom 4 → up1.upconv 8, up1 out 4 → up0.upconv 8.
    let margins = UNetONNXGraph.cropMargins(UNetConfiguration(inputChannels: 1, baseChannels: 2, depth: 2))
    #expect(margins == [16, 4])
    // The paper's net (572: 568 vs 392, 280 vs 200, 136 vs 104, 64 vs 56).
    #expect(UNetONNXGraph.cropMargins(UNetConfiguration(inputChannels: 1, depth: 4)) == [88, 40, 16, 4])
  }

  @Test func scaleRangeIsBioimageioFormulaPerChannel() {
    // Channel 0: 0...100 (percentile 1 = 1, percentile 99.8 = 99.8, NumPy's linear rule);
    // channel 1: the same times 2 plus 10.
    let ramp = (0...100).map(Float.init)
    let image = Tensor(shape: Shape(channels: 2, height: 1, width: 101), storage: ramp + ramp.map { 2 * $0 + 10 })
    let scaled = ModelPackage.scaleRange(image, IntensityNormalization())
    for (index, value) in ramp.enumerated() {
      let expected = (value - 1) / (98.8 + ModelPackage.epsilon)
      #expect(abs(scaled[0, 0, index] - expected) <= 1e-6, "channel 0 at \(index)")
      let expected1 = (2 * value + 10 - 12) / (197.6 + ModelPackage.epsilon)
      #expect(abs(scaled[1, 0, index] - expected1) <= 1e-6, "channel 1 at \(index)")
    }
  }

  @Test func packageHoldsItsPartsAndTheirHashes() {
    let network = Self.network(depth: 2, classes: 3)
    let request = ModelPackage.Request(
      network: network, normalization: IntensityNormalization(), classNames: ["background", "nucleus", "cell"],
      name: "Tiny test U-Net", description: "for a \"test\"", authors: ["A. Person"], testOutputSize: 8)
    let package = ModelPackage(request, parallel: Parallel(threads: 1))
    #expect(package.testInput.shape == Shape(channels: 1, height: 48, width: 48))
    #expect(package.testOutput.shape == Shape(channels: 3, height: 8, width: 8))
    let expected = network.probabilities(
      ModelPackage.scaleRange(package.testInput, IntensityNormalization()), parallel: Parallel(threads: 1))
    #expect(package.testOutput == expected)
    let yaml = package.description.yaml
    for field in [
      "type: model", "format_version: 0.5.", "name: \"Tiny test U-Net\"", "description: \"for a \\\"test\\\"\"",
      "  - name: \"A. Person\"", "doi: \"10.1007/978-3-319-24574-4_28\"", "license: \"CC-BY-4.0\"",
      "documentation: \"README.md\"", "covers: [\"cover.png\"]", "size: {min: 44, step: 4}",
      "size: {tensor_id: \"raw\", axis_id: y, offset: -40}", "channel_names: [\"background\", \"nucleus\", \"cell\"]",
      "- id: scale_range", "min_percentile: 1.0", "max_percentile: 99.8", "opset_version: 17",
      "source: \"weights.onnx\"", "source: \"test_input.npy\"", "source: \"test_output.npy\"",
    ] {
      #expect(yaml.contains(field), "bioimageio.yaml lacks \(field)")
    }
    #expect(package.description.weights.sha256.count == 64)
    #expect(!yaml.contains("pixel_size_um"), "no pixel size, none recorded")
    var calibrated = request
    calibrated.pixelSize = 0.325
    let scaled = ModelPackage(calibrated, parallel: Parallel(threads: 1)).description.yaml
    #expect(scaled.hasSuffix("config:\n  unet_worker:\n    pixel_size_um: 0.325\n"), "\(scaled)")
    // Stored zip entries start with a local header; every part's name is in the archive.
    #expect(Array(package.bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
    let text = String(decoding: package.bytes, as: UTF8.self)
    for name in ["bioimageio.yaml", "README.md", "cover.png", "test_input.npy", "test_output.npy", "weights.onnx"] {
      #expect(text.contains(name), "the archive lacks \(name)")
    }
    // The same request gives the same bytes.
    #expect(ModelPackage(request, parallel: Parallel(threads: 2)).bytes == package.bytes)
  }
}
