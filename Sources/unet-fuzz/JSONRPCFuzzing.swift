import JSONRPC
import WorkerCore

/// Any bytes as the worker's stdin: framed into lines in chunks of a size the input's first
/// byte picks (so line breaks fall across reads), and every line checked as the worker checks
/// it (`RequestCheck`: JSON, JSON-RPC, the method's parameters, without running any work).
/// Every refusal must be one well-formed JSON-RPC error response.
enum JSONRPCFuzzing {
  static func run(_ bytes: [UInt8]) {
    var framer = LineFramer(maxLineLength: 1 << 20)
    let chunk = 1 + Int(bytes.first ?? 0) % 97
    var start = 0
    while start < bytes.count {
      let end = min(bytes.count, start + chunk)
      for line in framer.append(bytes[start..<end]) { check(line) }
      start = end
    }
    if let last = framer.finish() { check(last) }
  }

  private static func check(_ framed: FramedLine) {
    guard case .line(let line) = framed else { return }
    guard case .rejected(let response) = RequestCheck.check(line: line) else { return }
    let value: JSONValue
    do {
      value = try JSONValue.parse(response)
    } catch {
      fuzzFailure("the error response is not JSON: \(response)")
    }
    guard case .object(let members) = value, members["jsonrpc"] == .string("2.0"),
      case .object(let error)? = members["error"], case .int? = error["code"],
      case .string? = error["message"], members.contains("id")
    else { fuzzFailure("not a JSON-RPC 2.0 error response: \(response)") }
  }
}
