import NeuralCore
import Testing

@Suite struct ModelFileTests {
  static func sample(state: Bool, adam: Bool = false) -> ModelFile {
    var rng = RandomSource(seed: 77)
    let network = UNet(
      configuration: UNetConfiguration(inputChannels: 2, classes: 3, baseChannels: 4, depth: 2, dropout: 0.5),
      rng: &rng)
    var metadata: ModelMetadata = ["normalization": "percentile 1 99.8", "trained": "2025-01-01"]
    metadata["history"] = "[{\"iterations\":10,\"loss\":0.3}]"
    metadata["unicode"] = "µm ✓"
    var trainingState: TrainingState?
    if state {
      var optimizer = adam ? Optimizer.adam(learningRate: 3e-4, weightDecay: 1e-5) : Optimizer.sgd(learningRate: 0.01)
      var parameters = network.parameters
      optimizer.update(
        parameters: &parameters, gradient: Reference.randomArray(parameters.count, rng: &rng),
        parallel: Parallel(threads: 1))
      trainingState = TrainingState(iteration: 1234, rng: rng, optimizer: optimizer)
    }
    return ModelFile(network: network, metadata: metadata, trainingState: trainingState)
  }

  @Test(arguments: [(false, false), (true, false), (true, true)])
  func roundTripKeepsEverything(state: Bool, adam: Bool) throws {
    let file = Self.sample(state: state, adam: adam)
    let bytes = file.encode()
    let decoded = try ModelFile.decode(bytes)
    #expect(decoded == file)
    #expect(decoded.metadata.keys == ["normalization", "trained", "history", "unicode"])
    #expect(decoded.network.parameters == file.parameters)
    #expect(decoded.encode() == bytes)
  }

  @Test func headerAndChecksumAreAsDocumented() {
    let bytes = Self.sample(state: false).encode()
    #expect(Array(bytes.prefix(8)) == Array("UNETMODL".utf8))
    #expect(bytes[8] == 1 && bytes[9] == 0)
    let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[16 + $1]) << (8 * $1) }
    #expect(length == UInt64(bytes.count))
    let stored = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[bytes.count - 4 + $1]) << (8 * $1) }
    #expect(stored == CRC32.checksum(bytes.dropLast(4)))
    #expect(Array(bytes[24..<28]) == Array("CONF".utf8))
    // The standard check value of CRC-32 (zlib.crc32(b"123456789")).
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
  }

  @Test func truncatedFilesAreRejected() {
    let bytes = Self.sample(state: true).encode()
    for cut in [0, 3, 8, 20, 27, 100, bytes.count / 2, bytes.count - 1] {
      do {
        _ = try ModelFile.decode(Array(bytes.prefix(cut)))
        Issue.record("accepted a file cut at \(cut)")
      } catch {
        switch error {
        case .truncated(let expected, let actual):
          #expect(actual == cut)
          #expect(expected == (cut < 28 ? 28 : bytes.count))
          #expect(error.description.contains("truncated"))
        default: Issue.record("cut at \(cut): \(error)")
        }
      }
    }
    #expect(throws: ModelFileError.trailingBytes(expectedBytes: bytes.count, actualBytes: bytes.count + 1)) {
      try ModelFile.decode(bytes + [0])
    }
  }

  @Test func wrongMagicAndVersionAreRejected() {
    var bytes = Self.sample(state: false).encode()
    var notModel = bytes
    notModel[0] = UInt8(ascii: "X")
    #expect(throws: ModelFileError.badMagic) { try ModelFile.decode(notModel) }
    #expect(throws: ModelFileError.badMagic) { try ModelFile.decode(Array("II*\0".utf8)) }
    bytes[8] = 2
    #expect(throws: ModelFileError.unsupportedVersion(found: 2, supported: 1)) { try ModelFile.decode(bytes) }
  }

  @Test func corruptedBytesFailTheChecksum() {
    let bytes = Self.sample(state: true).encode()
    for position in [30, 60, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
      var corrupted = bytes
      corrupted[position] ^= 0x10
      do {
        _ = try ModelFile.decode(corrupted)
        Issue.record("accepted a flipped bit at \(position)")
      } catch {
        guard case .checksumMismatch = error else {
          Issue.record("flip at \(position): \(error)")
          continue
        }
        #expect(error.description.contains("corrupted"))
      }
    }
  }

  /// Rewrites one byte and recomputes the checksum, so the structural checks are reached.
  static func resealed(_ bytes: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
    var body = Array(bytes.dropLast(4))
    edit(&body)
    let crc = CRC32.checksum(body)
    return body + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
  }

  @Test func sizeMismatchesAndBadConfigurationsAreRejected() {
    let bytes = Self.sample(state: false).encode()
    // CONF payload starts at 24 + 4 (tag) + 8 (length): input channels, classes, base, depth.
    let conf = 36
    let wrongBase = Self.resealed(bytes) { $0[conf + 8] = 5 }
    #expect(throws: ModelFileError.self) { try ModelFile.decode(wrongBase) }
    do {
      _ = try ModelFile.decode(wrongBase)
    } catch {
      guard case .sizeMismatch(let message) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(message.contains("parameters"))
    }
    let depthZero = Self.resealed(bytes) { $0[conf + 12] = 0 }
    do {
      _ = try ModelFile.decode(depthZero)
      Issue.record("accepted depth 0")
    } catch {
      guard case .invalidConfiguration = error else {
        Issue.record("\(error)")
        return
      }
    }
    let badTag = Self.resealed(bytes) { $0[24] = UInt8(ascii: "X") }
    #expect(throws: ModelFileError.malformed("expected section CONF, found \"XONF\"")) {
      try ModelFile.decode(badTag)
    }
    let unknownFlag = Self.resealed(bytes) { $0[12] = 4 }
    #expect(throws: ModelFileError.self) { try ModelFile.decode(unknownFlag) }
  }

  @Test func metadataKeepsOrderAndReplacesInPlace() {
    var metadata: ModelMetadata = ["a": "1", "b": "2"]
    metadata["c"] = "3"
    metadata["a"] = "one"
    metadata["b"] = nil
    #expect(metadata.keys == ["a", "c"])
    #expect(metadata["a"] == "one")
    #expect(metadata["b"] == nil)
  }
}
