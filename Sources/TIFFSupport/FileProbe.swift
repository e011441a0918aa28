#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system facts a reader needs before and after handing a path to libtiff: whether it
/// exists and is a regular file, its size (to bound what its header may claim), and, when libtiff
/// refuses it, whether it carries a TIFF signature at all.
enum FileProbe {
  /// Size in bytes of the regular file at `path`.
  /// - Throws: `.notFound` when missing, `.unreadable` for directories and other non-files.
  static func regularFileSize(_ path: String) throws(TIFFError) -> Int {
    var status = stat()
    guard stat(path, &status) == 0 else {
      let code = errno
      if code == ENOENT || code == ENOTDIR {
        throw TIFFError(.notFound, path: path, message: "no such file")
      }
      throw TIFFError(.unreadable, path: path, message: systemMessage(code))
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: return Int(status.st_size)
    case S_IFDIR: throw TIFFError(.unreadable, path: path, message: "is a directory, not a file")
    default: throw TIFFError(.unreadable, path: path, message: "is not a regular file")
    }
  }

  /// Why libtiff could not open a file that exists: unreadable, not a TIFF, or a damaged TIFF.
  static func classifyOpenFailure(_ path: String) -> TIFFError.Code {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return .unreadable }
    defer { _ = close(descriptor) }
    var signature = [UInt8](repeating: 0, count: 4)
    let count = signature.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 4) }
    guard count == 4 else { return count < 0 ? .unreadable : .notTIFF }
    return hasTIFFSignature(signature) ? .corrupt : .notTIFF
  }

  /// "II*\0" / "MM\0*" (classic TIFF) or "II+\0" / "MM\0+" (BigTIFF).
  static func hasTIFFSignature(_ bytes: [UInt8]) -> Bool {
    guard bytes.count >= 4 else { return false }
    switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
    case (0x49, 0x49, 0x2A, 0x00), (0x4D, 0x4D, 0x00, 0x2A),
         (0x49, 0x49, 0x2B, 0x00), (0x4D, 0x4D, 0x00, 0x2B):
      return true
    default:
      return false
    }
  }

  static func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "system error \(code)" }
    return String(cString: text)
  }
}
