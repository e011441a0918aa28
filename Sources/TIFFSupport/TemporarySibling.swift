#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file name in the destination's folder, so that the finished file can replace the
/// destination with one rename(2): a reader sees the old file or the new one, never half of one.
///
/// The one naming rule for every file the worker writes (TIFFs here, models, ROI zips and tables
/// through WorkerCore's `AtomicFile`): `.<name>.<pid>-<random>.tmp`, hidden, beside the
/// destination. Clients that clean up after a killed worker (`unet-segment-folder --skip-done`,
/// the robustness tests) match this pattern.
public struct TemporarySibling: Sendable {
  public let destination: String
  public let path: String

  /// A fresh hidden name beside `destination` (`.<name>.<pid>-<random>.tmp`).
  /// - Throws: `.writeFailed` when `destination` is a directory or names no file.
  public init(for destination: String) throws(TIFFError) {
    let folderEnd = destination.lastIndex(of: "/")
    let name = folderEnd.map { String(destination[destination.index(after: $0)...]) } ?? destination
    guard !name.isEmpty, name != ".", name != ".." else {
      throw TIFFError(.writeFailed, path: destination, message: "the path names a folder, not a file")
    }
    var status = stat()
    if stat(destination, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw TIFFError(.writeFailed, path: destination, message: "is a directory")
    }
    let folder = folderEnd.map { String(destination[...$0]) } ?? ""
    let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    self.destination = destination
    self.path = "\(folder).\(name).\(getpid())-\(suffix).tmp"
  }

  /// Moves the finished temporary file onto the destination (removing it if that fails).
  public func commit() throws(TIFFError) {
    guard rename(path, destination) == 0 else {
      let message = FileProbe.systemMessage(errno)
      discard()
      throw TIFFError(.writeFailed, path: destination, message: "cannot rename the finished file into place: \(message)")
    }
  }

  /// Removes the temporary file, if it exists.
  public func discard() {
    _ = unlink(path)
  }
}
