import JSONRPC
import Testing

/// Accessors, literals and the ordered object.
@Suite struct JSONValueTests {
  @Test func typedAccessors() {
    let value: JSONValue = ["s": "x", "i": 3, "d": 2.5, "w": 4.0, "b": true, "a": [1, "two"], "o": ["k": .null]]
    #expect(value["s"]?.stringValue == "x")
    #expect(value["i"]?.int64Value == 3)
    #expect(value["i"]?.doubleValue == 3)
    #expect(value["d"]?.doubleValue == 2.5)
    #expect(value["d"]?.int64Value == nil)
    #expect(value["w"]?.int64Value == 4)
    #expect(value["b"]?.boolValue == true)
    #expect(value["a"]?[1] == "two")
    #expect(value["a"]?[2] == nil)
    #expect(value["o"]?["k"]?.isNull == true)
    #expect(value["missing"] == nil)
    #expect(value["s"]?.int64Value == nil)
    #expect(value["s"]?["k"] == nil)
    #expect(value.typeDescription == "an object")
    #expect(JSONValue.double(1e300).int64Value == nil)
  }

  @Test func objectKeepsInsertionOrderAndUniqueKeys() {
    var object: JSONObject = ["b": 1, "a": 2]
    object["c"] = 3
    object["b"] = 10
    #expect(object.keys == ["b", "a", "c"])
    #expect(JSONValue.object(object).serialized() == #"{"b":10,"a":2,"c":3}"#)
    #expect(object.removeValue(forKey: "b") == 10)
    object["a"] = nil
    #expect(object.keys == ["c"])
    #expect(object["c"] == 3)
    object["b"] = 4
    #expect(object.map(\.key) == ["c", "b"])
    #expect(object.contains("b") && !object.contains("a"))
    #expect(object.count == 2 && !object.isEmpty)
  }

  /// Past 16 members the object switches from linear search to a hash table; both must agree.
  @Test(arguments: [3, 16, 17, 40])
  func removalKeepsLookupsRight(memberCount: Int) {
    var object = JSONObject()
    for index in 0..<memberCount { object["k\(index)"] = .int(Int64(index)) }
    #expect(object.removeValue(forKey: "k1") == 1)
    #expect(object.removeValue(forKey: "k1") == nil)
    #expect(object.count == memberCount - 1)
    for index in 0..<memberCount where index != 1 { #expect(object["k\(index)"] == .int(Int64(index))) }
    object["k1"] = "back"
    object["k0"] = "replaced"
    #expect(object.keys.first == "k0" && object.keys.last == "k1")
    #expect(object["k1"] == "back" && object["k0"] == "replaced")
  }

  @Test func objectEqualityIgnoresOrder() {
    let forward: JSONObject = ["a": 1, "b": 2]
    let backward: JSONObject = ["b": 2, "a": 1]
    #expect(forward == backward)
    #expect(forward != ["a": 1, "b": 3])
    #expect(forward != ["a": 1])
    #expect(JSONValue.object(forward).serialized() != JSONValue.object(backward).serialized())
  }

  @Test func repeatedKeysInALiteralKeepTheLastValue() {
    let object = JSONObject([("x", 1), ("y", 2), ("x", 3)])
    #expect(object.keys == ["x", "y"])
    #expect(object["x"] == 3)
  }

  @Test func manyMembersStayFast() throws {
    var object = JSONObject()
    for index in 0..<50_000 { object["key\(index)"] = .int(Int64(index)) }
    let line = JSONValue.object(object).serialized()
    let parsed = try JSONValue.parse(line)
    #expect(parsed.objectValue?.count == 50_000)
    #expect(parsed["key49999"] == 49_999)
    #expect(parsed.objectValue?.keys.first == "key0")
  }

  @Test func serialisesDoublesInShortestForm() {
    #expect(JSONValue.double(0.1).serialized() == "0.1")
    #expect(JSONValue.double(1.0 / 3).serialized() == "0.3333333333333333")
    #expect(JSONValue.double(100).serialized() == "100.0")
    #expect(JSONValue.double(-0.0).serialized() == "-0.0")
    #expect(JSONValue.double(.leastNonzeroMagnitude).serialized() == "5e-324")
    #expect(JSONValue.double(1.7976931348623157e308).serialized() == "1.7976931348623157e+308")
  }

  @Test func nonFiniteDoublesBecomeNull() {
    #expect(JSONValue.double(.nan).serialized() == "null")
    #expect(JSONValue.double(.infinity).serialized() == "null")
    #expect(JSONValue.array([.double(-.infinity), 1]).serialized() == "[null,1]")
    #expect(JSONValue.object(["loss": .double(.nan)]).serialized() == #"{"loss":null}"#)
  }

  @Test func serialisesStringsReadably() {
    #expect(JSONValue.string("/tmp/a b/é.tif").serialized() == "\"/tmp/a b/é.tif\"")
    #expect(JSONValue.string("tab\there").serialized() == #""tab\there""#)
    #expect(JSONValue.string("").serialized() == #""""#)
    #expect(JSONValue.int(Int64.min).serialized() == "-9223372036854775808")
    #expect(JSONValue.array([]).serialized() == "[]")
    #expect(JSONValue.object([:]).serialized() == "{}")
    #expect("\(JSONValue.bool(false))" == "false")
  }

  @Test func requestIDConversions() {
    #expect(RequestID(json: 3) == .int(3))
    #expect(RequestID(json: 3.0) == .int(3))
    #expect(RequestID(json: 3.5) == nil)
    #expect(RequestID(json: "x") == .string("x"))
    #expect(RequestID(json: .null) == nil)
    #expect(RequestID(json: [1]) == nil)
    #expect(RequestID.int(4).json == 4)
    #expect(RequestID.string("q\"").description == #""q\"""#)
    #expect(RequestID.int(4).description == "4")
  }
}
