/// Where each layer's weights and biases live in a U-Net's flat parameter array.
///
/// All parameters are one `[Float]` so that optimisers, model files and gradient buffers
/// treat them as a single vector. Layers come in the order the forward pass runs them; within
/// a layer the weights come first, then the biases. Names follow the PyTorch reference
/// (`../shared/peers/unet_peer.py`): `down{l}.conv{0,1}` for the contracting path and the
/// bottom (l = depth), `up{l}.upconv` and `up{l}.conv{0,1}` for the expansive path (l from
/// depth−1 down to 0), `final` for the 1×1 layer. Weight layouts: convolutions
/// [Cout][Cin][k][k], up-convolutions [Cin][Cout][2][2], as in PyTorch.
public struct UNetParameterLayout: Equatable, Sendable {
  /// One named parameter tensor.
  public struct Entry: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// Incoming connections of one unit (He initialisation's N): Cin·k² for a convolution,
    /// Cin for an up-convolution; 0 for biases.
    public let fanIn: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
  }

  public let entries: [Entry]
  public let count: Int
  let layers: Layers

  /// Offsets of one layer's tensors.
  struct Layer: Equatable, Sendable {
    let name: String
    let weights: Int
    let bias: Int
    let inputChannels: Int
    let outputChannels: Int
  }

  struct Layers: Equatable, Sendable {
    /// `down[l]` for l in 0...depth: the two 3×3 convolutions of each contracting level.
    var down: [(Layer, Layer)]
    /// `up[l]` for l in 0..<depth: up-convolution, then the two 3×3 convolutions.
    var up: [(upconv: Layer, conv0: Layer, conv1: Layer)]
    var final: Layer

    static func == (a: Layers, b: Layers) -> Bool {
      a.final == b.final && a.down.count == b.down.count && a.up.count == b.up.count
        && zip(a.down, b.down).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        && zip(a.up, b.up).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
    }
  }

  public init(configuration: UNetConfiguration) {
    var entries: [Entry] = []
    var offset = 0
    func add(_ name: String, cin: Int, cout: Int, kernel: Int, transposed: Bool) -> Layer {
      let weightShape = transposed ? [cin, cout, kernel, kernel] : [cout, cin, kernel, kernel]
      let fanIn = transposed ? cin : cin * kernel * kernel
      let weights = offset
      entries.append(Entry(name: name + ".weight", shape: weightShape, offset: offset, fanIn: fanIn))
      offset += weightShape.reduce(1, *)
      let bias = offset
      entries.append(Entry(name: name + ".bias", shape: [cout], offset: offset, fanIn: 0))
      offset += cout
      return Layer(
        name: name, weights: weights, bias: bias, inputChannels: cin, outputChannels: cout)
    }
    let depth = configuration.depth
    var down: [(Layer, Layer)] = []
    var channels = configuration.inputChannels
    for level in 0...depth {
      let c = configuration.channels(atLevel: level)
      let conv0 = add("down\(level).conv0", cin: channels, cout: c, kernel: 3, transposed: false)
      let conv1 = add("down\(level).conv1", cin: c, cout: c, kernel: 3, transposed: false)
      down.append((conv0, conv1))
      channels = c
    }
    var up: [(upconv: Layer, conv0: Layer, conv1: Layer)?] = Array(repeating: nil, count: depth)
    for level in (0..<depth).reversed() {
      let c = configuration.channels(atLevel: level)
      let upconv = add("up\(level).upconv", cin: channels, cout: c, kernel: 2, transposed: true)
      let conv0 = add("up\(level).conv0", cin: 2 * c, cout: c, kernel: 3, transposed: false)
      let conv1 = add("up\(level).conv1", cin: c, cout: c, kernel: 3, transposed: false)
      up[level] = (upconv, conv0, conv1)
      channels = c
    }
    let final = add("final", cin: channels, cout: configuration.classes, kernel: 1, transposed: false)
    self.entries = entries
    self.count = offset
    self.layers = Layers(down: down, up: up.compactMap { $0 }, final: final)
  }

  /// The entry called `name`, if any.
  public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}
