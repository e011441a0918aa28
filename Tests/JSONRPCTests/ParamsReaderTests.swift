import JSONRPC
import Testing

/// Every params error is -32602 and names the field, with a message a user understands.
@Suite struct ParamsReaderTests {
  static let params: JSONValue = [
    "model": "m.unet", "images": ["a.tif", "b.tif"], "iterations": 600, "seconds": 600.0,
    "fraction": 600.5, "tta": true, "nothing": .null, "empty": [],
    "config": ["sigma": 5, "optimizer": "adam", "augment": ["flips": false], "w0": "ten"],
    "request": "job-1", "mixed": ["a.tif", 3],
  ]
  let reader = ParamsReader(Self.params)

  /// The -32602 error thrown by `body`, nil if none.
  static func invalid(_ body: () throws -> Void) -> RPCError? {
    do {
      try body()
      return nil
    } catch let error as RPCError {
      #expect(error.code == .invalidParams)
      return error
    } catch {
      Issue.record("not an RPCError: \(error)")
      return nil
    }
  }

  static func field(of error: RPCError?) -> String? { error?.data?["field"]?.stringValue }

  @Test func readsPresentValues() throws {
    #expect(try reader.string("model") == "m.unet")
    #expect(try reader.stringArray("images", minCount: 1) == ["a.tif", "b.tif"])
    #expect(try reader.optionalStringArray("images", oneOf: ["b.tif", "a.tif"]) == ["a.tif", "b.tif"])
    #expect(try reader.int("iterations") == 600)
    #expect(try reader.int("seconds") == 600)  // 600.0 is a whole number
    #expect(try reader.double("fraction") == 600.5)
    #expect(try reader.double("iterations") == 600)  // any JSON number
    #expect(try reader.bool("tta"))
    #expect(try reader.requestID("request") == "job-1")
    #expect(try reader.nested("config").double("sigma") == 5)
    #expect(try reader.nested("config").nested("augment").bool("flips") == false)
    #expect(try reader.nested("config").string("optimizer", oneOf: ["sgd", "adam"]) == "adam")
    #expect(try reader.value("nothing") == .null)
    #expect(try reader.value("absent") == nil)
    #expect(try reader.contains("model"))
    #expect(try !reader.contains("nothing"))
  }

  @Test func optionalAccessorsTreatMissingAndNullAlike() throws {
    #expect(try reader.optionalString("absent") == nil)
    #expect(try reader.optionalString("nothing") == nil)
    #expect(try reader.optionalInt("nothing") == nil)
    #expect(try reader.optionalDouble("absent") == nil)
    #expect(try reader.optionalBool("absent") == nil)
    #expect(try reader.optionalStringArray("nothing") == nil)
    #expect(try reader.optionalNested("absent") == nil)
    #expect(try reader.optionalInt("iterations", in: 1...1000) == 600)
    #expect(try reader.optionalString("model", oneOf: ["m.unet"]) == "m.unet")
    #expect(Self.field(of: Self.invalid { _ = try reader.optionalInt("fraction") }) == "fraction")
  }

  struct Failure: CustomTestStringConvertible, Sendable {
    let name: String
    let field: String
    let message: String
    let read: @Sendable (ParamsReader) throws -> Void
    var testDescription: String { name }
  }

  static let failures: [Failure] = [
    Failure(name: "missing", field: "output_dir", message: #"missing required field "output_dir""#) {
      _ = try $0.string("output_dir")
    },
    Failure(name: "null where required", field: "nothing", message: #""nothing" must be a string, got null"#) {
      _ = try $0.string("nothing")
    },
    Failure(name: "number for string", field: "iterations", message: #""iterations" must be a string, got a number"#) {
      _ = try $0.string("iterations")
    },
    Failure(name: "fraction for int", field: "fraction", message: #""fraction" must be a whole number, got 600.5"#) {
      _ = try $0.int("fraction")
    },
    Failure(name: "string for int", field: "model", message: #""model" must be a whole number, got a string"#) {
      _ = try $0.int("model")
    },
    Failure(name: "int range", field: "iterations", message: #""iterations" must be between 1 and 500, got 600"#) {
      _ = try $0.int("iterations", in: 1...500)
    },
    Failure(name: "int lower bound", field: "iterations", message: #""iterations" must be at least 1000, got 600"#) {
      _ = try $0.int("iterations", in: 1000...Int.max)
    },
    Failure(name: "double range", field: "fraction", message: #""fraction" must be at most 1, got 600.5"#) {
      _ = try $0.double("fraction", in: -Double.infinity...1)
    },
    Failure(name: "double range fractional", field: "fraction", message: #""fraction" must be between 0.5 and 1.5, got 600.5"#) {
      _ = try $0.double("fraction", in: 0.5...1.5)
    },
    Failure(name: "string for double", field: "config.w0", message: #""config.w0" must be a number, got a string"#) {
      _ = try $0.nested("config").double("w0")
    },
    Failure(name: "nested missing", field: "config.seed", message: #"missing required field "config.seed""#) {
      _ = try $0.nested("config").int("seed")
    },
    Failure(name: "deeply nested", field: "config.augment.flips", message: #""config.augment.flips" must be a whole number, got false"#) {
      _ = try $0.nested("config").nested("augment").int("flips")
    },
    Failure(name: "choice", field: "config.optimizer", message: #""config.optimizer" must be one of "sgd", "momentum", got "adam""#) {
      _ = try $0.nested("config").string("optimizer", oneOf: ["sgd", "momentum"])
    },
    Failure(name: "bool", field: "model", message: #""model" must be true or false, got a string"#) {
      _ = try $0.bool("model")
    },
    Failure(name: "array element", field: "mixed[1]", message: #""mixed[1]" must be a string, got a number"#) {
      _ = try $0.stringArray("mixed")
    },
    Failure(name: "array choice", field: "images[1]", message: #""images[1]" must be one of "a.tif", got "b.tif""#) {
      _ = try $0.stringArray("images", oneOf: ["a.tif"])
    },
    Failure(name: "not an array", field: "model", message: #""model" must be an array of strings, got a string"#) {
      _ = try $0.stringArray("model")
    },
    Failure(name: "empty array", field: "empty", message: #""empty" must not be empty"#) {
      _ = try $0.stringArray("empty", minCount: 1)
    },
    Failure(name: "short array", field: "images", message: #""images" must have at least 3 elements"#) {
      _ = try $0.stringArray("images", minCount: 3)
    },
    Failure(name: "nested not object", field: "model", message: #""model" must be an object, got a string"#) {
      _ = try $0.nested("model")
    },
    Failure(name: "request id", field: "tta", message: #""tta" must be an integer or a string, got true"#) {
      _ = try $0.requestID("tta")
    },
    Failure(name: "unknown key", field: "config.w0", message: #"unknown field "config.w0" (known fields: sigma, optimizer, augment)"#) {
      try $0.nested("config").rejectUnknownKeys(allowed: ["sigma", "optimizer", "augment"])
    },
  ]

  @Test(arguments: failures)
  func namesTheField(_ failure: Failure) {
    let error = Self.invalid { try failure.read(reader) }
    #expect(Self.field(of: error) == failure.field)
    #expect(error?.message == failure.message)
  }

  @Test func paramsThatAreNotAnObject() {
    let positional = ParamsReader([1, 2])
    let error = Self.invalid { _ = try positional.string("model") }
    #expect(Self.field(of: error) == "params")
    #expect(error?.message == #""params" must be an object, got an array"#)
    let nested = ParamsReader("x", path: "validation")
    #expect(Self.field(of: Self.invalid { _ = try nested.optionalInt("n") }) == "validation")
  }

  @Test func omittedParamsReadAsEmpty() throws {
    let omitted = ParamsReader(nil)
    #expect(try omitted.optionalString("anything") == nil)
    try omitted.rejectUnknownKeys(allowed: [])
    #expect(Self.field(of: Self.invalid { _ = try omitted.stringArray("images") }) == "images")
  }

  @Test func integersOutsideIntAreRangeErrors() {
    let huge = ParamsReader(["n": 1e30])
    let error = Self.invalid { _ = try huge.int("n") }
    #expect(error?.message == #""n" must be within the 64-bit integer range, got 1e+30"#)
  }

  @Test func acceptsKnownKeys() throws {
    try reader.nested("config").rejectUnknownKeys(allowed: ["sigma", "optimizer", "augment", "w0"])
    #expect(reader.field("x") == "x")
    #expect(try reader.nested("config").field("sigma") == "config.sigma")
  }
}
