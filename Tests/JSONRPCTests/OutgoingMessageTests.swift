import JSONRPC
import Testing

/// The exact lines the worker writes, compared with inline JSON.
@Suite struct OutgoingMessageTests {
  @Test func response() {
    #expect(
      OutgoingMessage.response(id: 1, result: ["model": "/tmp/m.unet", "iterations": 5, "loss": 0.31])
        == #"{"jsonrpc":"2.0","id":1,"result":{"model":"/tmp/m.unet","iterations":5,"loss":0.31}}"#)
    #expect(OutgoingMessage.response(id: "job-7", result: [:]) == #"{"jsonrpc":"2.0","id":"job-7","result":{}}"#)
  }

  @Test func errorWithAndWithoutID() {
    #expect(
      OutgoingMessage.error(id: nil, error: .parseError("invalid UTF-8 at byte 3"))
        == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: invalid UTF-8 at byte 3","data":{"reason":"invalid UTF-8 at byte 3"}}}"#
    )
    #expect(
      OutgoingMessage.error(id: "a", error: .cancelled)
        == #"{"jsonrpc":"2.0","id":"a","error":{"code":-32800,"message":"the request was cancelled"}}"#)
  }

  /// The contract's progress example, byte for byte.
  @Test func notification() {
    let params: JSONValue = ["request": 1, "stage": "train", "done": 40, "total": 1000, "loss": 0.31, "eta_s": 120.5]
    #expect(
      OutgoingMessage.notification(method: "progress", params: params)
        == #"{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"train","done":40,"total":1000,"loss":0.31,"eta_s":120.5}}"#
    )
    #expect(OutgoingMessage.notification(method: "bye", params: nil) == #"{"jsonrpc":"2.0","method":"bye"}"#)
  }

  @Test func requestRoundTripsThroughDecode() {
    let line = OutgoingMessage.request(id: 9, method: "evaluate", params: ["truth": "t.tif"])
    #expect(line == #"{"jsonrpc":"2.0","id":9,"method":"evaluate","params":{"truth":"t.tif"}}"#)
    #expect(
      IncomingMessage.decode(line: Array(line.utf8))
        == .success(.request(id: 9, method: "evaluate", params: ["truth": "t.tif"])))
  }

  /// No line ever holds a raw line break, whatever the strings inside contain.
  @Test func linesNeverContainRawLineBreaks() {
    var nasty = ""
    for code in 0..<0x20 { nasty.unicodeScalars.append(Unicode.Scalar(UInt8(code))) }
    nasty += "\r\n\u{2028}\u{85}"
    let lines = [
      OutgoingMessage.response(id: .string(nasty), result: .object(JSONObject([(nasty, .string(nasty))]))),
      OutgoingMessage.error(id: nil, error: .invalidParams(field: nasty, nasty)),
      OutgoingMessage.notification(method: nasty, params: [.string(nasty)]),
    ]
    for line in lines {
      #expect(!line.utf8.contains(UInt8(ascii: "\n")))
      #expect(!line.utf8.contains(UInt8(ascii: "\r")))
    }
  }

  @Test func errorFactoriesFollowTheContract() {
    let cases: [(RPCError, Int, JSONValue?)] = [
      (.parseError("r"), -32700, ["reason": "r"]),
      (.lineTooLong(byteCount: 20, limit: 10), -32700,
       ["reason": "the line has 20 bytes, more than the limit of 10"]),
      (.invalidRequest("m"), -32600, nil),
      (.methodNotFound("segmnt"), -32601, ["method": "segmnt"]),
      (.invalidParams(field: "config.sigma", "m"), -32602, ["field": "config.sigma"]),
      (.internalError("m"), -32603, nil),
      (.cancelled, -32800, nil),
      (.fileUnreadable(path: "/x.tif", "m"), -32001, ["path": "/x.tif"]),
      (.fileUnwritable(path: "/y.tif", "m"), -32002, ["path": "/y.tif"]),
      (.dataMismatch("m", ["image": [512, 512], "labels": [256, 256]]), -32003,
       ["image": [512, 512], "labels": [256, 256]]),
      (.dataMismatch("m"), -32003, nil),
    ]
    for (error, code, data) in cases {
      #expect(error.code.rawValue == code)
      #expect(error.data == data)
      #expect(error.json["code"] == .int(Int64(code)))
      #expect(error.json["data"] == data)
    }
    #expect(RPCError.methodNotFound("a\"b").message == #"unknown method "a\"b""#)
    #expect(ErrorCode(rawValue: -32001) == .fileUnreadable)
  }
}
