#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSONRPC

/// A file of fixed-size rows (labels or probabilities of an image larger than memory) that a
/// streamed `segment` writes in one pass and reads back in the next. It is created in the
/// output folder and unlinked at once, so it never shows up there and vanishes with the process
/// even after a crash or a cancel; offsets are 64-bit (a 50000² image of 4-byte values is 10 GB).
final class ScratchFile {
  private let descriptor: Int32
  private let folder: String

  /// Creates and unlinks a scratch file in `folder`.
  /// - Throws: `RPCError.fileUnwritable` when the folder does not take a file.
  init(in folder: String) throws {
    let name = "\(folder)/.unet-scratch-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    let fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else {
      throw RPCError.fileUnwritable(path: name, "cannot create a scratch file in \(folder): \(String(cString: strerror(errno)))")
    }
    unlink(name)
    descriptor = fd
    self.folder = folder
  }

  deinit { close(descriptor) }

  /// Writes `values` at element offset `index` (in elements of `T`).
  func write<T>(_ values: [T], at index: Int) throws {
    try values.withUnsafeBytes { bytes in
      guard let base = bytes.baseAddress else { return }
      var done = 0
      while done < bytes.count {
        let count = pwrite(descriptor, base + done, bytes.count - done, off_t(index * MemoryLayout<T>.stride + done))
        guard count > 0 else {
          throw RPCError.fileUnwritable(path: folder, "cannot write a scratch file in \(folder) (disk full?): \(String(cString: strerror(errno)))")
        }
        done += count
      }
    }
  }

  /// Reads `count` elements of `T` at element offset `index` (written before).
  func read<T: BinaryInteger>(_ type: T.Type, count: Int, at index: Int) throws -> [T] {
    try read(count: count, at: index, zero: T.zero)
  }

  /// Reads `count` floats at element offset `index` (written before).
  func readFloats(count: Int, at index: Int) throws -> [Float] {
    try read(count: count, at: index, zero: Float(0))
  }

  private func read<T>(count: Int, at index: Int, zero: T) throws -> [T] {
    var values = [T](repeating: zero, count: count)
    try values.withUnsafeMutableBytes { bytes in
      guard let base = bytes.baseAddress else { return }
      var done = 0
      while done < bytes.count {
        let got = pread(descriptor, base + done, bytes.count - done, off_t(index * MemoryLayout<T>.stride + done))
        guard got > 0 else {
          throw RPCError.fileUnwritable(path: folder, "cannot read back a scratch file in \(folder): \(got == 0 ? "it is short" : String(cString: strerror(errno)))")
        }
        done += got
      }
    }
    return values
  }
}
