/// The few ONNX messages (onnx/onnx.proto, IR version 8) that a feed-forward float network
/// needs, each with only the fields we write, and their protobuf encoding. Field numbers are
/// those of onnx.proto.
public enum ONNX {
  /// IR version 8: the one that goes with opset 17 (ONNX 1.12 and later read it).
  public static let irVersion: Int64 = 8
  /// The default ("ai.onnx") operator set the graph uses.
  public static let opsetVersion: Int64 = 17

  /// TensorProto.DataType values.
  public enum DataType: Int64, Sendable {
    case float = 1
    case int64 = 7
  }

  /// One attribute of a node (AttributeProto): an integer or a list of integers.
  public struct Attribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
      case int(Int64)
      case ints([Int64])
    }
    public let name: String
    public let value: Value

    public init(_ name: String, _ value: Value) {
      self.name = name
      self.value = value
    }

    func encoded() -> ProtobufWriter {
      var writer = ProtobufWriter()
      writer.string(1, name)
      switch value {
      case .int(let number):
        writer.int(3, number)
        writer.int(20, 2)  // AttributeType.INT
      case .ints(let numbers):
        for number in numbers { writer.int(8, number) }
        writer.int(20, 7)  // AttributeType.INTS
      }
      return writer
    }
  }

  /// One operator application (NodeProto) of the default domain.
  public struct Node: Sendable, Equatable {
    public let opType: String
    public let name: String
    public let inputs: [String]
    public let outputs: [String]
    public let attributes: [Attribute]

    public init(_ opType: String, name: String, inputs: [String], outputs: [String], attributes: [Attribute] = []) {
      self.opType = opType
      self.name = name
      self.inputs = inputs
      self.outputs = outputs
      self.attributes = attributes
    }

    func encoded() -> ProtobufWriter {
      var writer = ProtobufWriter()
      for input in inputs { writer.string(1, input) }
      for output in outputs { writer.string(2, output) }
      writer.string(3, name)
      writer.string(4, opType)
      for attribute in attributes { writer.message(5, attribute.encoded()) }
      return writer
    }
  }

  /// A constant tensor (TensorProto) with its values as `raw_data`, little-endian.
  public struct Initializer: Sendable, Equatable {
    public let name: String
    public let dimensions: [Int]
    public let dataType: DataType
    public let rawData: [UInt8]

    /// float32 values.
    public init(name: String, dimensions: [Int], floats: ArraySlice<Float>) {
      precondition(dimensions.reduce(1, *) == floats.count, "ONNX.Initializer \(name): \(floats.count) values for \(dimensions)")
      self.name = name
      self.dimensions = dimensions
      self.dataType = .float
      self.rawData = LittleEndian.bytes(of: floats)
    }

    /// int64 values (shapes and indices, e.g. Slice's starts and ends).
    public init(name: String, int64s: [Int64]) {
      self.name = name
      self.dimensions = [int64s.count]
      self.dataType = .int64
      var raw: [UInt8] = []
      for value in int64s {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 0, to: 64, by: 8) { raw.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
      }
      self.rawData = raw
    }

    func encoded() -> ProtobufWriter {
      var writer = ProtobufWriter()
      for dimension in dimensions { writer.int(1, Int64(dimension)) }
      writer.int(2, dataType.rawValue)
      writer.string(8, name)
      writer.bytes(9, rawData)
      return writer
    }
  }

  /// One dimension of a graph input or output: fixed, or a symbol (dynamic).
  public enum Dimension: Sendable, Equatable {
    case fixed(Int)
    case symbolic(String)
  }

  /// A graph input or output (ValueInfoProto) of float32 elements.
  public struct Value: Sendable, Equatable {
    public let name: String
    public let dimensions: [Dimension]
    public let documentation: String

    public init(name: String, dimensions: [Dimension], documentation: String = "") {
      self.name = name
      self.dimensions = dimensions
      self.documentation = documentation
    }

    func encoded() -> ProtobufWriter {
      var shape = ProtobufWriter()
      for dimension in dimensions {
        var entry = ProtobufWriter()
        switch dimension {
        case .fixed(let size): entry.int(1, Int64(size))
        case .symbolic(let symbol): entry.string(2, symbol)
        }
        shape.message(1, entry)
      }
      var tensor = ProtobufWriter()
      tensor.int(1, DataType.float.rawValue)
      tensor.message(2, shape)
      var type = ProtobufWriter()
      type.message(1, tensor)
      var writer = ProtobufWriter()
      writer.string(1, name)
      writer.message(2, type)
      if !documentation.isEmpty { writer.string(3, documentation) }
      return writer
    }
  }

  /// A whole model (ModelProto holding one GraphProto).
  public struct Model: Sendable, Equatable {
    public var graphName: String
    public var nodes: [Node]
    public var initializers: [Initializer]
    public var inputs: [Value]
    public var outputs: [Value]
    public var documentation: String
    public var producerName = "unet-worker"
    public var producerVersion = ""

    public init(graphName: String, nodes: [Node], initializers: [Initializer], inputs: [Value], outputs: [Value], documentation: String) {
      self.graphName = graphName
      self.nodes = nodes
      self.initializers = initializers
      self.inputs = inputs
      self.outputs = outputs
      self.documentation = documentation
    }

    /// The serialised ModelProto: what a `.onnx` file holds.
    public func encoded() -> [UInt8] {
      var graph = ProtobufWriter()
      for node in nodes { graph.message(1, node.encoded()) }
      graph.string(2, graphName)
      for initializer in initializers { graph.message(5, initializer.encoded()) }
      if !documentation.isEmpty { graph.string(10, documentation) }
      for input in inputs { graph.message(11, input.encoded()) }
      for output in outputs { graph.message(12, output.encoded()) }
      var opset = ProtobufWriter()
      opset.string(1, "")
      opset.int(2, ONNX.opsetVersion)
      var model = ProtobufWriter()
      model.int(1, ONNX.irVersion)
      model.string(2, producerName)
      if !producerVersion.isEmpty { model.string(3, producerVersion) }
      model.message(7, graph)
      model.message(8, opset)
      return model.bytes
    }
  }
}
