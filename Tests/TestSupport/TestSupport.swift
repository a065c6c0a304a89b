// Shared by the test targets: where the package is, and how to ask the live Python
// references (the pinned venv that `make venv` builds) for their answers.
import Foundation

public enum TestSupport {
  /// The package root (the folder holding Package.swift).
  public static let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        return url
      }
    }
    fatalError("Package.swift not found above \(#filePath)")
  }()

  /// A path relative to the package root.
  public static func path(_ relative: String) -> String {
    packageRoot.appendingPathComponent(relative).path
  }

  public struct ReferenceError: Error, CustomStringConvertible {
    public let description: String
  }

  /// The Python interpreter of the reference venv: `$KWS_PYTHON`, else `.venv/bin/python`
  /// under the package root. Missing venv is an error, not a skip: run `make venv`.
  public static func python() throws -> String {
    if let p = ProcessInfo.processInfo.environment["KWS_PYTHON"], FileManager.default.isExecutableFile(atPath: p) {
      return p
    }
    let local = path(".venv/bin/python")
    if FileManager.default.isExecutableFile(atPath: local) { return local }
    throw ReferenceError(description: "no reference venv: run `make venv` (or set KWS_PYTHON)")
  }

  /// Runs a program, feeding `stdin`, and returns its standard output. Throws with the
  /// program's standard error when it exits non-zero.
  public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    // Read both pipes concurrently so neither can fill up and stall the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let errDone = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      errBox.data = err.fileHandleForReading.readDataToEndOfFile()
      errDone.signal()
    }
    DispatchQueue.global().async {
      if let stdin { input.fileHandleForWriting.write(stdin) }
      try? input.fileHandleForWriting.close()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errDone.wait()
    guard process.terminationStatus == 0 else {
      throw ReferenceError(
        description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
          + (String(data: errBox.data, encoding: .utf8) ?? ""))
    }
    return outData
  }

  /// Runs `Tests/Reference/<script>` with the reference venv's Python.
  public static func reference(_ script: String, _ arguments: [String], stdin: Data? = nil) throws -> Data {
    try run(python(), [path("Tests/Reference/\(script)")] + arguments, stdin: stdin)
  }

  /// A fresh temporary directory, removed by the caller when done.
  public static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("kws-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
