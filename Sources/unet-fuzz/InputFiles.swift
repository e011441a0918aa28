#if canImport(Glibc)
  import Glibc
#endif

/// The files of the replay mode: a path that is a file, or the regular files of a folder
/// (not recursive), sorted by name.
enum InputFiles {
  static func list(_ path: String) -> [String] {
    guard let folder = opendir(path) else { return [path] }
    defer { closedir(folder) }
    var names: [String] = []
    while let entry = readdir(folder) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      var status = stat()
      if stat("\(path)/\(name)", &status) == 0, (status.st_mode & S_IFMT) == S_IFREG { names.append(name) }
    }
    return names.sorted().map { "\(path)/\($0)" }
  }

  static func read(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = fread(&buffer, 1, buffer.count, file)
      bytes.append(contentsOf: buffer[0..<count])
      if count < buffer.count { return ferror(file) == 0 ? bytes : nil }
    }
  }
}
