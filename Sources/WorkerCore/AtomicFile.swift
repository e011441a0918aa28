import Foundation
import JSONRPC

/// Writes files so that a reader never sees half of one: the bytes go to a temporary name in
/// the destination folder, which is then renamed over the destination (atomic on POSIX file
/// systems). On any failure the temporary file is removed and the destination is untouched.
enum AtomicFile {
  static func write(_ bytes: [UInt8], to path: String) throws(RPCError) {
    let destination = URL(fileURLWithPath: path)
    let folder = destination.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(
      ".\(destination.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).tmp")
    do {
      try Data(bytes).write(to: temporary, options: [.withoutOverwriting])
      if rename(temporary.path, destination.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw RPCError.fileUnwritable(path: path, "cannot write \(path): \(reason)")
      }
    } catch let error as RPCError {
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw RPCError.fileUnwritable(path: path, "cannot write \(path): \(error.localizedDescription)")
    }
  }
}
