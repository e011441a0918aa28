import Foundation
import Testing
import TIFFSupport

/// libtiff prints errors and warnings to stderr unless its handlers are replaced; the worker's
/// stderr is for its own logs. Captures fd 2 while reading files that make libtiff complain
/// (ImageJ's private tags give warnings; damaged files give errors) and looks for libtiff's words.
@Suite("libtiff stays off stderr", .serialized)
struct QuietStderrTests {
  @Test func nothingReachesStderr() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let broken = folder.path("broken.tif")
    try writeBytes(Data([0x49, 0x49, 0x2A, 0, 0xFF, 0xFF, 0, 0, 0, 0]), to: broken)
    let captured = try captureStandardError {
      _ = try? TIFFReader.read(path: FixtureValues.path("imagej_hyperstack_c2z3_uint16.tif"))
      _ = try? TIFFReader.read(path: broken)
      _ = try? TIFFReader.read(path: FixtureValues.path("header_exceeds_file.tif"))
      _ = try? TIFFReader.read(path: FixtureValues.path("unsupported_ycbcr_jpeg.tif"))
      _ = try? TIFFWriter.write([FixtureValues.image(.uint8)], to: "/proc/unet-no.tif")
    }
    for phrase in ["TIFFReadDirectory", "Unknown field", "TIFFFetchDirectory", "Cannot read", "Warning,", "TIFFOpen"] {
      #expect(!captured.contains(phrase), "libtiff wrote to stderr: \(captured)")
    }
  }

  /// Runs `body` with fd 2 redirected to a temporary file and returns what was written there.
  private func captureStandardError(_ body: () -> Void) throws -> String {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("stderr.txt")
    let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let saved = dup(2)
    try #require(file >= 0 && saved >= 0)
    dup2(file, 2)
    body()
    dup2(saved, 2)
    close(saved)
    close(file)
    return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
  }
}
