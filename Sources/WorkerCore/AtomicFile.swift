import Foundation
import JSONRPC
import TIFFSupport

/// Writes files so that a reader never sees half of one: the bytes go to a temporary name in
/// the destination folder (`TemporarySibling`, the worker's one naming rule for temporaries),
/// which is then renamed over the destination (atomic on POSIX file systems). On any failure the
/// temporary file is removed and the destination is untouched.
enum AtomicFile {
  static func write(_ bytes: [UInt8], to path: String) throws(RPCError) {
    let temporary: TemporarySibling
    do {
      temporary = try TemporarySibling(for: path)
    } catch {
      throw RPCError.fileUnwritable(path: path, "cannot write \(path): \(error.message)")
    }
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: temporary.path), options: [.withoutOverwriting])
    } catch {
      temporary.discard()
      throw RPCError.fileUnwritable(path: path, "cannot write \(path): \(error.localizedDescription)")
    }
    do {
      try temporary.commit()
    } catch {
      throw RPCError.fileUnwritable(path: path, "cannot write \(path): \(error.message)")
    }
  }
}
