/// A TIFF file could not be read or written: what went wrong (`code`), with which file (`path`),
/// and a message for people that includes libtiff's own words where libtiff had something to say.
public struct TIFFError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of failure; callers branch on this, never on the message.
  public enum Code: String, Sendable, Equatable, CaseIterable {
    /// The path does not exist.
    case notFound
    /// The path exists but cannot be read: no permission, a directory, not a regular file.
    case unreadable
    /// The file is readable but is not a TIFF (no TIFF signature), for example an empty file.
    case notTIFF
    /// The file is a TIFF but damaged: truncated, inconsistent tags, undecodable pixel data.
    case corrupt
    /// A valid TIFF whose layout this reader does not handle (for example YCbCr or 64-bit ints).
    case unsupported
    /// The decoded pixels would exceed the read limit (`TIFFReadLimits.maxDecodedBytes`).
    case tooLarge
    /// The file could not be written (folder missing or not writable, disk full, ...).
    case writeFailed
    /// Pixel data that do not fit the request: mixed image types in one stack, non-integral labels.
    case invalidData
  }

  public var code: Code
  /// The file concerned; empty when the error is about in-memory data (for example labels).
  public var path: String
  public var message: String

  public init(_ code: Code, path: String, message: String) {
    self.code = code
    self.path = path
    self.message = message
  }

  /// The same error attributed to `path`, for in-memory checks of data that came from a file.
  public func attributed(to path: String) -> TIFFError {
    TIFFError(code, path: path, message: message)
  }

  public var description: String {
    path.isEmpty ? "\(code.rawValue): \(message)" : "\(path): \(code.rawValue): \(message)"
  }
}
