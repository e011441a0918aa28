#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
import NeuralCore

/// The model and network buffers of the last `segment` request, kept for the next one.
///
/// A client that segments image after image with one model would otherwise read and verify the
/// model file (the paper's network: 124 MB of weights plus the optimiser state) and fault in
/// the network's buffers (several hundred MB) on every request; on a 512×512 image with the
/// paper's network that was most of the request's time. A kept model is used only while its
/// file is unchanged (same device, inode, size, modification and change times), so a model
/// that `train` renames into place, or a file edited in place, is read again.
///
/// At most one entry. Jobs run one at a time: `checkOut` hands the entry to the running job
/// (the cache is then empty) and `checkIn` returns it. `train` calls `release` first, so the
/// kept buffers do not count against its memory.
final class InferenceCache: Sendable {
  /// A model ready for inference and the buffers its passes reuse.
  struct Entry {
    let model: StoredModel
    let workspace: UNetWorkspace
    /// Identity of the file the model was read from; nil when the file changed while it was
    /// read (the entry is then used once and not kept).
    fileprivate let file: FileIdentity?
  }

  private let kept = Locked<Entry?>(nil)

  /// The model at `path` with a workspace: the kept ones when the file is unchanged, else the
  /// file read anew (the kept ones released first, so two models never share the memory).
  func checkOut(path: String, parallel: Parallel) throws -> Entry {
    let identity = FileIdentity(path: path)
    let previous = kept.withLock { entry -> Entry? in
      defer { entry = nil }
      return entry
    }
    if let previous, let identity, previous.file == identity, previous.workspace.parallel.threads == parallel.threads {
      return previous
    }
    let model = try StoredModel.load(path: path, trainingState: false)
    let unchanged = identity != nil && FileIdentity(path: path) == identity
    return Entry(model: model, workspace: UNetWorkspace(parallel: parallel), file: unchanged ? identity : nil)
  }

  /// Keeps `entry` for the next request (unless its file changed while it was read).
  func checkIn(_ entry: Entry) {
    guard entry.file != nil else { return }
    kept.withLock { $0 = entry }
  }

  /// Frees the kept model and buffers.
  func release() {
    kept.withLock { $0 = nil }
  }
}

/// What identifies one version of a file without reading it.
private struct FileIdentity: Equatable {
  let device: UInt64
  let inode: UInt64
  let size: Int64
  let modified: timespec
  let changed: timespec

  init?(path: String) {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
    size = Int64(status.st_size)
    modified = status.st_mtim
    changed = status.st_ctim
  }

  static func == (a: FileIdentity, b: FileIdentity) -> Bool {
    a.device == b.device && a.inode == b.inode && a.size == b.size
      && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
      && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
  }
}
