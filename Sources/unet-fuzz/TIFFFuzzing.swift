#if canImport(Glibc)
  import Glibc
#endif
import TIFFSupport

/// Any bytes as a TIFF file: written to a scratch file (libtiff reads paths), then read with
/// the worker's limits, first the tags alone, then every page. A `TIFFError` is the expected
/// refusal; what `read` returns must agree with what `readInfo` promised, and a band of rows
/// read alone (`TIFFPageReader.rows`, the streamed `segment`'s reads) must equal those rows.
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
      if let first = stack.images.first { checkBand(of: first) }
    } catch {
      return
    }
  }

  /// The middle third of the first image's rows, read alone, equals those rows of the image.
  private static func checkBand(of image: TIFFImage) {
    let rows = (image.height / 3)..<max(image.height / 3 + 1, 2 * image.height / 3)
    guard let reader = try? TIFFPageReader(path: scratchPath), let band = try? reader.rows(rows, ofImage: 0) else { return }
    let whole = image.floatPlanes()
    let part = band.floatPlanes()
    let plane = image.width * rows.count
    for c in 0..<image.channels {
      for i in 0..<plane {
        let expected = whole[(c * image.height + rows.lowerBound) * image.width + i]
        let got = part[c * plane + i]
        if expected != got && !(expected.isNaN && got.isNaN) {
          fuzzFailure("rows \(rows) read alone differ from the whole image at channel \(c), sample \(i)")
        }
      }
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
