import NeuralCore

/// The trained U-Net as an ONNX graph (opset `ONNX.opsetVersion`), the same computation as
/// `UNet.probabilities` in inference (dropout is training only and left out):
///
/// - each 3×3 and the final 1×1 layer: `Conv` (no padding, stride 1), then `Relu` (not after
///   the final layer);
/// - each 2×2 max-pooling: `MaxPool` kernel 2, stride 2;
/// - each 2×2 up-convolution: `ConvTranspose` kernel 2, stride 2, then `Relu` (as in the
///   network, see `UNet`); weights [Cin][Cout][2][2] are ONNX's layout already;
/// - crop-and-concatenate: `Slice` of the skip map's centre, then `Concat` on the channel axis
///   as `[skip, upsampled]`. For an unpadded U-Net the crop margin of a level does not depend on
///   the tile size, so the slice bounds are constants (`starts` c, `ends` −c);
/// - `Softmax` over the channel axis: the graph outputs class probabilities.
///
/// Input `raw` is batch × channels × height × width with symbolic batch and spatial sizes, so
/// every legal tile (and a batch of them) runs; output `probabilities` is batch × classes ×
/// (height − 2·margin) × (width − 2·margin).
public enum UNetONNXGraph {
  public static let inputName = "raw"
  public static let outputName = "probabilities"

  /// The ONNX model of `network`; `documentation` goes into the graph's doc string.
  public static func model(of network: UNet, documentation: String = "") -> ONNX.Model {
    var builder = Builder(network: network)
    let output = builder.build()
    let configuration = network.configuration
    let input = ONNX.Value(
      name: inputName,
      dimensions: [.symbolic("batch"), .fixed(configuration.inputChannels), .symbolic("height"), .symbolic("width")],
      documentation: "normalised image tiles; height and width legal input sizes (min + k * 2^depth)")
    let outputValue = ONNX.Value(
      name: outputName,
      dimensions: [.symbolic("batch"), .fixed(configuration.classes), .symbolic("out_height"), .symbolic("out_width")],
      documentation: "class probabilities (softmax over channels), height and width 2 * margin smaller than the input")
    precondition(output == outputName, "UNetONNXGraph: the graph ends in \(output)")
    return ONNX.Model(
      graphName: "unet", nodes: builder.nodes, initializers: builder.initializers, inputs: [input],
      outputs: [outputValue], documentation: documentation)
  }

  /// The constant crop margin of the skip connection at each level 0..<depth: half the
  /// difference between the contracting map's edge and the upsampled map's.
  public static func cropMargins(_ configuration: UNetConfiguration) -> [Int] {
    let geometry = configuration.geometry
    guard let input = geometry.inputSize(forOutputSize: geometry.minimumOutputSize),
      let stages = geometry.stages(forInputSize: input)
    else { preconditionFailure("UNetONNXGraph: no legal input size for depth \(configuration.depth)") }
    var sizes: [String: Int] = [:]
    for stage in stages { sizes[stage.name] = stage.size }
    return (0..<configuration.depth).map { level in
      let skip = sizes["down\(level).conv1"] ?? 0
      let upsampled = sizes["up\(level).upconv"] ?? 0
      return (skip - upsampled) / 2
    }
  }

  /// Emits nodes and initializers in the order the forward pass runs the layers.
  private struct Builder {
    let network: UNet
    var nodes: [ONNX.Node] = []
    var initializers: [ONNX.Initializer] = []

    init(network: UNet) { self.network = network }

    mutating func build() -> String {
      let depth = network.configuration.depth
      var x = UNetONNXGraph.inputName
      var skips: [String] = []
      for level in 0...depth {
        x = convolution("down\(level).conv0", input: x, kernel: 3, relu: true)
        x = convolution("down\(level).conv1", input: x, kernel: 3, relu: true)
        if level < depth {
          skips.append(x)
          let pooled = "down\(level).pool"
          nodes.append(
            ONNX.Node(
              "MaxPool", name: pooled, inputs: [x], outputs: [pooled],
              attributes: [ONNX.Attribute("kernel_shape", .ints([2, 2])), ONNX.Attribute("strides", .ints([2, 2]))]))
          x = pooled
        }
      }
      let margins = UNetONNXGraph.cropMargins(network.configuration)
      for level in (0..<depth).reversed() {
        let upsampled = upConvolution("up\(level).upconv", input: x)
        let crop = "up\(level).crop"
        let margin = Int64(margins[level])
        initializers.append(ONNX.Initializer(name: crop + ".starts", int64s: [margin, margin]))
        initializers.append(ONNX.Initializer(name: crop + ".ends", int64s: [-margin, -margin]))
        initializers.append(ONNX.Initializer(name: crop + ".axes", int64s: [2, 3]))
        nodes.append(
          ONNX.Node(
            "Slice", name: crop, inputs: [skips[level], crop + ".starts", crop + ".ends", crop + ".axes"],
            outputs: [crop]))
        let concatenated = "up\(level).concat"
        nodes.append(
          ONNX.Node(
            "Concat", name: concatenated, inputs: [crop, upsampled], outputs: [concatenated],
            attributes: [ONNX.Attribute("axis", .int(1))]))
        x = convolution("up\(level).conv0", input: concatenated, kernel: 3, relu: true)
        x = convolution("up\(level).conv1", input: x, kernel: 3, relu: true)
      }
      let logits = convolution("final", input: x, kernel: 1, relu: false)
      let probabilities = UNetONNXGraph.outputName
      nodes.append(
        ONNX.Node(
          "Softmax", name: "softmax", inputs: [logits], outputs: [probabilities],
          attributes: [ONNX.Attribute("axis", .int(1))]))
      return probabilities
    }

    /// Adds the weight and bias initializers of layer `name`; returns their names.
    private mutating func parameters(_ name: String) -> (weight: String, bias: String) {
      for suffix in [".weight", ".bias"] {
        guard let entry = network.layout.entry(named: name + suffix) else {
          preconditionFailure("UNetONNXGraph: the layout has no \(name + suffix)")
        }
        initializers.append(
          ONNX.Initializer(name: entry.name, dimensions: entry.shape, floats: network.parameters[entry.range]))
      }
      return (name + ".weight", name + ".bias")
    }

    private mutating func convolution(_ name: String, input: String, kernel: Int, relu: Bool) -> String {
      let (weight, bias) = parameters(name)
      let k = Int64(kernel)
      nodes.append(
        ONNX.Node(
          "Conv", name: name, inputs: [input, weight, bias], outputs: [name],
          attributes: [
            ONNX.Attribute("kernel_shape", .ints([k, k])), ONNX.Attribute("pads", .ints([0, 0, 0, 0])),
            ONNX.Attribute("strides", .ints([1, 1])),
          ]))
      return relu ? self.relu(name) : name
    }

    private mutating func upConvolution(_ name: String, input: String) -> String {
      let (weight, bias) = parameters(name)
      nodes.append(
        ONNX.Node(
          "ConvTranspose", name: name, inputs: [input, weight, bias], outputs: [name],
          attributes: [ONNX.Attribute("kernel_shape", .ints([2, 2])), ONNX.Attribute("strides", .ints([2, 2]))]))
      return relu(name)
    }

    private mutating func relu(_ input: String) -> String {
      let name = input + ".relu"
      nodes.append(ONNX.Node("Relu", name: name, inputs: [input], outputs: [name]))
      return name
    }
  }
}
