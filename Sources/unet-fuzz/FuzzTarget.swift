/// The fuzz targets of `unet-fuzz`. Each takes any bytes and must return normally: refusing bad
/// input with an error is the expected outcome; a trap, a sanitizer report, a hang or an
/// allocation beyond libFuzzer's limit is a bug.
enum FuzzTarget: String, CaseIterable, Sendable {
  /// Any bytes as a TIFF file, read as the worker reads its inputs.
  case tiff
  /// Any bytes as the worker's stdin: framed into lines, each checked as the worker checks it.
  case jsonrpc
  /// Any bytes as a `.unet` model file (and, with its length and checksum repaired, again).
  case model

  func run(_ bytes: [UInt8]) {
    switch self {
    case .tiff: TIFFFuzzing.run(bytes)
    case .jsonrpc: JSONRPCFuzzing.run(bytes)
    case .model: ModelFileFuzzing.run(bytes)
    }
  }
}

/// A property of the code under test that an input broke (not a refusal: a wrong answer).
func fuzzFailure(_ message: String) -> Never {
  fatalError("unet-fuzz: \(message)")
}
