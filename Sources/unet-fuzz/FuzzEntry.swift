import CLibFuzzer

#if canImport(Glibc)
  import Glibc
#endif

/// `unet-fuzz`. Built with `-sanitize=fuzzer,address -DFUZZING` (`make fuzz`), it hands its
/// arguments to libFuzzer, which calls the target UNET_FUZZ_TARGET names for every input.
/// Built plainly (`make build`), `unet-fuzz replay TARGET PATH...` runs the files (or every file
/// of the folders) through the target once: `make test` replays the regression inputs of
/// Tests/Fixtures/fuzz this way.
@main
enum FuzzEntry {
  static func main() {
    #if FUZZING
      _ = selectedTarget
      var argc = CommandLine.argc
      var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
      exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
      })
    #else
      replay(Array(CommandLine.arguments.dropFirst()))
    #endif
  }

  static func replay(_ arguments: [String]) {
    guard arguments.count >= 3, arguments[0] == "replay", let target = FuzzTarget(rawValue: arguments[1]) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
      print("usage: unet-fuzz replay \(names) FILE_OR_FOLDER...  (fuzzing: make fuzz)")
      exit(2)
    }
    var count = 0
    for path in arguments.dropFirst(2) {
      for file in InputFiles.list(path) {
        guard let bytes = InputFiles.read(file) else {
          print("unet-fuzz: cannot read \(file)")
          exit(2)
        }
        target.run(bytes)
        count += 1
      }
    }
    print("unet-fuzz \(target.rawValue): \(count) inputs, every one handled")
  }
}

/// The target UNET_FUZZ_TARGET names; read once, before the first input.
let selectedTarget: FuzzTarget = {
  let name = getenv("UNET_FUZZ_TARGET").map { String(cString: $0) } ?? ""
  guard let target = FuzzTarget(rawValue: name) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    fuzzFailure("set UNET_FUZZ_TARGET to one of \(names), not '\(name)'")
  }
  return target
}()
