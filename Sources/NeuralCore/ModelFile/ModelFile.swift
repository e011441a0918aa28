/// A trained (or training) U-Net as bytes: configuration, parameters, metadata and, for
/// checkpoints, the training state. The core does no I/O; the worker writes `encode()`'s
/// bytes to a temporary file and renames it over the target, so a reader never sees half a
/// model.
///
/// # Format, version 1
///
/// All integers and floats are little-endian; floats are IEEE-754 binary32.
///
///     offset  size  field
///     0       8     magic "UNETMODL" (ASCII)
///     8       4     u32 format version = 1
///     12      4     u32 flags: bit 0 = a TRNS section is present; other bits 0
///     16      8     u64 total file length in bytes, this header and the checksum included
///     24      …     sections, in this order, each: 4-byte ASCII tag, u64 payload length,
///                   payload
///     end−4   4     u32 CRC-32 (IEEE, as zlib.crc32) of every byte before it
///
/// Sections:
///
/// - `CONF` (20 bytes): u32 input channels, u32 classes, u32 base channels, u32 depth,
///   f32 dropout probability (see `UNetConfiguration`).
/// - `PARM`: u64 n, then n f32, the parameters in the order of `UNetParameterLayout`
///   (per layer weights then biases; down0.conv0, down0.conv1, …, the bottom, up{depth-1}.upconv,
///   up{depth-1}.conv0, …, up0.conv1, final; convolution weights [Cout][Cin][k][k],
///   up-convolution weights [Cin][Cout][2][2], as in PyTorch). n must equal the layout's count.
/// - `META`: u32 entry count, then per entry a u32 byte length and UTF-8 key, a u32 byte
///   length and UTF-8 value; keys unique, order kept (`ModelMetadata`).
/// - `TRNS` (only with flag bit 0): u64 iterations done, u64 generator state
///   (`RandomSource.state`), u8 optimiser (0 SGD with momentum, 1 Adam), f32 learning rate,
///   f32 weight decay, f32 momentum (SGD) or β₁ (Adam), f32 β₂ (0 for SGD), f32 ε (0 for SGD),
///   u64 optimiser steps, then the first moment (SGD: velocity) and the second moment (Adam;
///   empty for SGD) each as u64 n and n f32, n either 0 (no update yet) or the parameter
///   count.
///
/// Reading checks, in order: the magic, the version, the length against the byte count
/// (truncation or trailing bytes), the checksum, then every section's tag, length and counts.
public struct ModelFile: Equatable, Sendable {
  public static let formatVersion: UInt32 = 1
  public static let magic: [UInt8] = Array("UNETMODL".utf8)
  static let headerSize = 24
  static let checksumSize = 4

  public var configuration: UNetConfiguration
  public var parameters: [Float]
  public var metadata: ModelMetadata
  public var trainingState: TrainingState?

  /// A file for `configuration` and its parameters (count checked).
  public init(
    configuration: UNetConfiguration, parameters: [Float], metadata: ModelMetadata = ModelMetadata(),
    trainingState: TrainingState? = nil
  ) {
    let expected = UNetParameterLayout(configuration: configuration).count
    precondition(
      parameters.count == expected,
      "ModelFile: \(parameters.count) parameters, \(configuration) has \(expected)")
    self.configuration = configuration
    self.parameters = parameters
    self.metadata = metadata
    self.trainingState = trainingState
  }

  public init(network: UNet, metadata: ModelMetadata = ModelMetadata(), trainingState: TrainingState? = nil) {
    self.init(
      configuration: network.configuration, parameters: network.parameters, metadata: metadata,
      trainingState: trainingState)
  }

  /// The network these parameters define.
  public var network: UNet { UNet(configuration: configuration, parameters: parameters) }

  /// The file's bytes.
  public func encode() -> [UInt8] {
    let stateFloats = (trainingState?.optimizer.firstMoment.count ?? 0) + (trainingState?.optimizer.secondMoment.count ?? 0)
    var writer = ByteWriter(capacity: 4 * (parameters.count + stateFloats) + 4096)
    writer.append(tag: "UNET")
    writer.append(tag: "MODL")
    writer.append(ModelFile.formatVersion)
    writer.append(UInt32(trainingState == nil ? 0 : 1))
    let lengthOffset = writer.bytes.count
    writer.append(UInt64(0))

    section("CONF", &writer) { w in
      w.append(UInt32(configuration.inputChannels))
      w.append(UInt32(configuration.classes))
      w.append(UInt32(configuration.baseChannels))
      w.append(UInt32(configuration.depth))
      w.append(configuration.dropout)
    }
    section("PARM", &writer) { w in w.append(floats: parameters) }
    section("META", &writer) { w in
      w.append(UInt32(metadata.count))
      for entry in metadata.entries {
        w.append(string: entry.key)
        w.append(string: entry.value)
      }
    }
    if let state = trainingState {
      section("TRNS", &writer) { w in
        w.append(UInt64(state.iteration))
        w.append(state.rng.state)
        let optimizer = state.optimizer
        switch optimizer.method {
        case .sgd(let momentum):
          w.append(UInt8(0))
          w.append(optimizer.learningRate)
          w.append(optimizer.weightDecay)
          w.append(momentum)
          w.append(Float(0))
          w.append(Float(0))
        case .adam(let beta1, let beta2, let epsilon):
          w.append(UInt8(1))
          w.append(optimizer.learningRate)
          w.append(optimizer.weightDecay)
          w.append(beta1)
          w.append(beta2)
          w.append(epsilon)
        }
        w.append(UInt64(optimizer.step))
        w.append(floats: optimizer.firstMoment)
        w.append(floats: optimizer.secondMoment)
      }
    }
    writer.patch(UInt64(writer.bytes.count + ModelFile.checksumSize), at: lengthOffset)
    writer.append(CRC32.checksum(writer.bytes))
    return writer.bytes
  }

  /// Writes a tagged section, filling in its length afterwards.
  private func section(_ tag: String, _ writer: inout ByteWriter, _ body: (inout ByteWriter) -> Void) {
    writer.append(tag: tag)
    let lengthOffset = writer.bytes.count
    writer.append(UInt64(0))
    let start = writer.bytes.count
    body(&writer)
    writer.patch(UInt64(writer.bytes.count - start), at: lengthOffset)
  }
}
