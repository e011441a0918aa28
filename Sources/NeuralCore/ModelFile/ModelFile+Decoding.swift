extension ModelFile {
  /// Reads a model file, rejecting anything that is not exactly a valid version-1 file (see
  /// the format in `ModelFile`) with an error that says what is wrong.
  ///
  /// With `trainingState: false` the optimiser state (as large as the parameters, twice with
  /// Adam) is checked by its checksum and section length but not decoded: inference needs only
  /// the network, and the result's `trainingState` is nil.
  public static func decode(_ bytes: [UInt8], trainingState decodesTrainingState: Bool = true) throws(ModelFileError) -> ModelFile {
    guard bytes.starts(with: magic.prefix(bytes.count)) else { throw .badMagic }
    let minimum = headerSize + checksumSize
    guard bytes.count >= minimum else {
      throw .truncated(expectedBytes: minimum, actualBytes: bytes.count)
    }
    guard bytes.starts(with: magic) else { throw .badMagic }
    var header = ByteReader(bytes, from: magic.count, to: headerSize)
    let version = try header.read(UInt32.self, "version")
    guard version == formatVersion else {
      throw .unsupportedVersion(found: version, supported: formatVersion)
    }
    let flags = try header.read(UInt32.self, "flags")
    let declaredLength = try header.read(UInt64.self, "length")
    guard declaredLength >= UInt64(minimum) && declaredLength <= UInt64(Int.max) else {
      throw .malformed("declared length \(declaredLength) is impossible")
    }
    let length = Int(declaredLength)
    if bytes.count < length { throw .truncated(expectedBytes: length, actualBytes: bytes.count) }
    if bytes.count > length { throw .trailingBytes(expectedBytes: length, actualBytes: bytes.count) }
    let body = length - checksumSize
    var trailer = ByteReader(bytes, from: body, to: length)
    let stored = try trailer.read(UInt32.self, "checksum")
    let computed = bytes.withUnsafeBytes { CRC32.checksum(buffer: UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
    guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
    guard flags & ~1 == 0 else { throw .malformed("unknown flags 0x\(String(flags, radix: 16))") }

    var reader = ByteReader(bytes, from: headerSize, to: body)
    let configuration = try readSection("CONF", &reader) { (r: inout ByteReader) throws(ModelFileError) in
      try readConfiguration(&r)
    }
    let expectedCount = UNetParameterLayout(configuration: configuration).count
    let parameters = try readSection("PARM", &reader) { (r: inout ByteReader) throws(ModelFileError) in
      try r.readFloats("parameters")
    }
    guard parameters.count == expectedCount else {
      throw .sizeMismatch(
        "\(parameters.count) parameters stored, \(configuration) needs \(expectedCount)")
    }
    let metadata = try readSection("META", &reader) { (r: inout ByteReader) throws(ModelFileError) in
      try readMetadata(&r)
    }
    var trainingState: TrainingState?
    if flags & 1 != 0 {
      trainingState = try readSection("TRNS", &reader) { (r: inout ByteReader) throws(ModelFileError) -> TrainingState? in
        guard decodesTrainingState else {
          r.skipRemaining()
          return nil
        }
        return try readTrainingState(&r, parameterCount: expectedCount)
      }
    }
    guard reader.remaining == 0 else {
      throw .malformed("\(reader.remaining) bytes after the last section")
    }
    return ModelFile(
      configuration: configuration, parameters: parameters, metadata: metadata,
      trainingState: trainingState)
  }

  /// Reads tag and length, runs `body` on exactly the payload, and checks it used all of it.
  private static func readSection<T>(
    _ tag: String, _ reader: inout ByteReader,
    _ body: (inout ByteReader) throws(ModelFileError) -> T
  ) throws(ModelFileError) -> T {
    let found = try reader.readTag()
    guard found == tag else { throw .malformed("expected section \(tag), found \"\(found)\"") }
    let length = try reader.read(UInt64.self, "\(tag) length")
    guard length <= UInt64(reader.remaining) else {
      throw .malformed("section \(tag) declares \(length) bytes, \(reader.remaining) remain")
    }
    let end = reader.offset + Int(length)
    var payload = ByteReader(reader.bytes, from: reader.offset, to: end)
    let value = try body(&payload)
    guard payload.remaining == 0 else {
      throw .malformed("section \(tag) has \(payload.remaining) unread bytes")
    }
    reader = ByteReader(reader.bytes, from: end, to: reader.end)
    return value
  }

  private static func readConfiguration(_ r: inout ByteReader) throws(ModelFileError) -> UNetConfiguration {
    let configuration = UNetConfiguration(
      inputChannels: Int(try r.read(UInt32.self, "input channels")),
      classes: Int(try r.read(UInt32.self, "classes")),
      baseChannels: Int(try r.read(UInt32.self, "base channels")),
      depth: Int(try r.read(UInt32.self, "depth")),
      dropout: try r.readFloat("dropout"))
    do {
      try configuration.validate()
    } catch {
      throw .invalidConfiguration(error.message)
    }
    return configuration
  }

  private static func readMetadata(_ r: inout ByteReader) throws(ModelFileError) -> ModelMetadata {
    let count = try r.read(UInt32.self, "metadata count")
    var metadata = ModelMetadata()
    for index in 0..<count {
      let key = try r.readString("metadata key \(index)")
      let value = try r.readString("metadata value \(index)")
      guard metadata[key] == nil else { throw .malformed("metadata key \"\(key)\" appears twice") }
      metadata[key] = value
    }
    return metadata
  }

  private static func readTrainingState(
    _ r: inout ByteReader, parameterCount: Int
  ) throws(ModelFileError) -> TrainingState {
    let iteration = try r.read(UInt64.self, "iteration")
    let rngState = try r.read(UInt64.self, "generator state")
    let kind = try r.read(UInt8.self, "optimizer")
    let learningRate = try r.readFloat("learning rate")
    let weightDecay = try r.readFloat("weight decay")
    let first = try r.readFloat("momentum or beta1")
    let beta2 = try r.readFloat("beta2")
    let epsilon = try r.readFloat("epsilon")
    let step = try r.read(UInt64.self, "optimizer step")
    let firstMoment = try r.readFloats("first moment")
    let secondMoment = try r.readFloats("second moment")
    guard iteration <= UInt64(Int.max) && step <= UInt64(Int.max) else {
      throw .malformed("iteration \(iteration) or step \(step) out of range")
    }
    let method: Optimizer.Method
    switch kind {
    case 0:
      method = .sgd(momentum: first)
      guard secondMoment.isEmpty else { throw .sizeMismatch("SGD state holds a second moment") }
    case 1:
      method = .adam(beta1: first, beta2: beta2, epsilon: epsilon)
      guard secondMoment.count == firstMoment.count else {
        throw .sizeMismatch("Adam moments hold \(firstMoment.count) and \(secondMoment.count) values")
      }
    default:
      throw .malformed("unknown optimizer \(kind)")
    }
    guard firstMoment.isEmpty || firstMoment.count == parameterCount else {
      throw .sizeMismatch(
        "optimizer state holds \(firstMoment.count) values for \(parameterCount) parameters")
    }
    let optimizer = Optimizer(
      method: method, learningRate: learningRate, weightDecay: weightDecay, step: Int(step),
      firstMoment: firstMoment, secondMoment: secondMoment)
    return TrainingState(iteration: Int(iteration), rng: RandomSource(seed: rngState), optimizer: optimizer)
  }
}
