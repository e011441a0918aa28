#if canImport(Glibc)
  import Glibc
#endif
import TIFFSupport

/// Any bytes as a TIFF file: written to a scratch file (libtiff reads paths), then read with
/// the worker's limits, first the tags alone, then every page. A `TIFFError` is the expected
/// refusal; what `read` returns must agree with what `readInfo` promised.
enum TIFFFuzzing {
  static func run(_ bytes: [UInt8]) {
    guard writeScratch(bytes) else { fuzzFailure("cannot write the scratch file \(scratchPath)") }
    let info: TIFFStackInfo
    do {
      info = try TIFFReader.readInfo(path: scratchPath)
    } catch {
      return
    }
    do {
      let stack = try TIFFReader.read(path: scratchPath)
      if stack.images.count != info.imageCount {
        fuzzFailure("readInfo promised \(info.imageCount) images, read gave \(stack.images.count)")
      }
      if let first = stack.images.first, first.width != info.width || first.height != info.height {
        fuzzFailure("readInfo promised \(info.width)×\(info.height), read gave \(first.width)×\(first.height)")
      }
    } catch {
      return
    }
  }

  /// One scratch file per fuzzing process, in memory where the system has /dev/shm.
  static let scratchPath: String = {
    let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return "\(folder)/unet-fuzz-\(getpid()).tif"
  }()

  private static func writeScratch(_ bytes: [UInt8]) -> Bool {
    let descriptor = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return write(descriptor, base + offset, raw.count - offset)
      }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return false }
      offset += written
    }
    return true
  }
}
