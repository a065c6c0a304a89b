// Runs the BUILT `kws` binary, as a user would. It sits next to the test bundle
// (.build/<triple>/debug/), so `swift build --build-tests` (which builds both) must
// precede `swift test --skip-build`; a missing binary is an error, not a skip.
import Foundation
import TestSupport

struct KwsResult {
  let status: Int32
  let stdout: Data
  let stderr: String
  var text: String { String(decoding: stdout, as: UTF8.self) }
}

enum KwsBinary {
  struct Missing: Error, CustomStringConvertible {
    let description: String
  }

  /// The kws executable beside the running test bundle.
  static func path() throws -> String {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = me.deletingLastPathComponent()
    // The test runner may be the bundle itself or a helper inside it.
    for _ in 0..<3 {
      let candidate = dir.appendingPathComponent("kws").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      dir.deleteLastPathComponent()
    }
    let fallback = TestSupport.path(".build/debug/kws")
    if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
    throw Missing(description: "kws binary not found beside \(me.path): run `swift build` first")
  }

  /// Runs kws with `arguments` (in `directory` if given) and collects everything.
  static func run(
    _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
  ) throws -> KwsResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try path())
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let errDone = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      errBox.data = err.fileHandleForReading.readDataToEndOfFile()
      errDone.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errDone.wait()
    return KwsResult(
      status: process.terminationStatus, stdout: outData,
      stderr: String(decoding: errBox.data, as: UTF8.self))
  }
}
