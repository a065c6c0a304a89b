// Loading a .tflite file on the host: the bytes are copied once into 16-byte
// aligned memory that lives as long as the `ModelFile`, because the core `Model`
// reads weights in place and never copies them (on the MCU they stay in flash).
import Foundation
import Inference

/// Why a model file could not be used.
public enum ModelFileError: Error, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case invalid(path: String, ModelError)
  case unrunnable(path: String, InterpreterError)

  public var description: String { "\(path): \(problem)" }

  /// The file the error is about.
  public var path: String {
    switch self {
    case .unreadable(let path, _), .invalid(let path, _), .unrunnable(let path, _): return path
    }
  }

  /// What is wrong, without the path.
  public var problem: String {
    switch self {
    case .unreadable(_, let reason): return "cannot read the model: \(reason)"
    case .invalid(_, let error): return "\(error)"
    case .unrunnable(_, let error): return "\(error)"
    }
  }

  /// The description for a message that already begins with `source`: without the
  /// path when it is `source` (a bare .tflite given as the model), so it is named once.
  public func message(after source: String) -> String {
    let standard = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.path }
    return standard(path) == standard(source) ? problem : description
  }
}

/// A model file's bytes (aligned, owned) and the model read from them.
public final class ModelFile {
  public let path: String
  public let bytes: UnsafeMutableRawBufferPointer
  public let model: Model

  /// Reads and checks the file at `path`.
  public convenience init(path: String) throws(ModelFileError) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .unreadable(path: path, reason: error.localizedDescription)
    }
    try self.init(bytes: [UInt8](data), path: path)
  }

  /// Reads a model from bytes already in memory (copied into aligned storage).
  public init(bytes source: [UInt8], path: String = "<memory>") throws(ModelFileError) {
    self.path = path
    let storage = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(source.count, 1), alignment: Interpreter.arenaAlignment)
    source.withUnsafeBytes { storage.copyMemory(from: $0) }
    let view = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<source.count])
    do {
      model = try Model(bytes: view)
    } catch {
      storage.deallocate()
      throw .invalid(path: path, error)
    }
    bytes = storage
  }

  deinit { bytes.deallocate() }
}

/// An interpreter with its own arena, for host tools and tests. Keeps the model
/// file alive as long as the interpreter.
public final class ModelRunner {
  public let file: ModelFile
  public let arena: UnsafeMutableRawBufferPointer
  public let interpreter: Interpreter

  public init(_ file: ModelFile) throws(ModelFileError) {
    self.file = file
    let need: Int
    do {
      need = try Interpreter.arenaBytesRequired(for: file.model)
    } catch {
      throw .unrunnable(path: file.path, error)
    }
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(need, 16), alignment: Interpreter.arenaAlignment)
    do {
      interpreter = try Interpreter(model: file.model, arena: arena)
    } catch {
      arena.deallocate()
      throw .unrunnable(path: file.path, error)
    }
    self.arena = arena
  }

  public convenience init(path: String) throws(ModelFileError) {
    try self.init(try ModelFile(path: path))
  }

  /// Copies `bytes` into every input tensor in order (`bytes` must hold exactly one
  /// invocation), invokes, and returns every output tensor's bytes, concatenated.
  public func run(_ bytes: ArraySlice<UInt8>) throws(InterpreterError) -> [UInt8] {
    var offset = bytes.startIndex
    for i in 0..<interpreter.inputCount {
      let t = interpreter.input(i)
      bytes[offset..<(offset + t.byteCount)].withUnsafeBytes { t.data.copyMemory(from: $0.baseAddress!, byteCount: t.byteCount) }
      offset += t.byteCount
    }
    try interpreter.invoke()
    var out: [UInt8] = []
    for i in 0..<interpreter.outputCount {
      let t = interpreter.output(i)
      out.append(contentsOf: UnsafeRawBufferPointer(start: t.data, count: t.byteCount))
    }
    return out
  }

  /// Bytes of all inputs of one invocation.
  public var inputBytes: Int { (0..<interpreter.inputCount).reduce(0) { $0 + interpreter.input($1).byteCount } }

  deinit { arena.deallocate() }
}
