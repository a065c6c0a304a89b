// Test fixtures shared by the inference tests: where the reference models are, the
// live TFLM oracle, deterministic pseudo-random bytes.
import Foundation
import Host
import Inference
import TestSupport

enum Fixtures {
  /// The four microWakeWord models shipped inside pymicro-wakeword (in the venv).
  static let wakeWordNames = ["okay_nabu", "alexa", "hey_jarvis", "hey_mycroft"]

  /// The phrase each wake word model listens for (espeak-ng input).
  static func phrase(_ name: String) -> String { name.replacingOccurrences(of: "_", with: " ") }

  static func wakeWordModel(_ name: String) throws -> String {
    let out = try TestSupport.run(
      try TestSupport.python(),
      ["-c", "import os, pymicro_wakeword; print(os.path.dirname(pymicro_wakeword.__file__))"])
    let dir = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return dir + "/models/\(name).tflite"
  }

  /// Output bytes of the live TFLM interpreter for invocations back to back.
  static func tflm(_ model: String, _ input: [UInt8], tensors: [String] = []) throws -> [UInt8] {
    var args = [model]
    for t in tensors { args += ["--tensor", t] }
    return [UInt8](try TestSupport.reference("tflm_run.py", args, stdin: Data(input)))
  }

  /// int8 frames (40 bytes each) of `text` said by espeak-ng, through the TFLM
  /// microfrontend (pymicro-features).
  static func speechFeatures(_ text: String, voice: String = "en-us") throws -> [UInt8] {
    [UInt8](try TestSupport.reference("speech_features.py", [text, "--voice", voice]))
  }

  /// Writes a one-operator model from a JSON spec (see make_op_model.py).
  static func opModel(_ spec: String, in dir: URL, name: String) throws -> String {
    let path = dir.appendingPathComponent("\(name).tflite").path
    _ = try TestSupport.reference("make_op_model.py", [path], stdin: Data(spec.utf8))
    return path
  }

  /// Runs `invocations` (back to back) through our interpreter.
  static func ours(_ runner: ModelRunner, _ input: [UInt8]) throws -> [UInt8] {
    let step = runner.inputBytes
    var out: [UInt8] = []
    var offset = 0
    while offset < input.count {
      out += try runner.run(input[offset..<(offset + step)])
      offset += step
    }
    return out
  }

  /// Builds the one-operator (or small-graph) model of `c`, runs five invocations of
  /// pseudo-random inputs through it and through the live TFLM interpreter, and
  /// returns both byte streams. Float inputs are finite values in [-16, 16) so float
  /// -> int8 rounding is exercised, not NaN handling. `sweepFirst`: the first
  /// invocation's integer inputs walk every byte value (where the tensor is large
  /// enough), so every branch of a lookup table is hit. `seed` starts the name hash.
  static func opCaseOutputs(_ c: OpCase, seed: UInt64, sweepFirst: Bool) throws -> (
    ours: [UInt8], tflm: [UInt8]
  ) {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = try opModel(c.json, in: dir, name: c.name)
    let runner = try ModelRunner(path: path)
    var rng = SplitMix64(seed: c.name.utf8.reduce(seed) { $0 &* 31 &+ UInt64($1) })
    var input: [UInt8] = []
    for k in 0..<5 {
      for i in 0..<runner.interpreter.inputCount {
        let t = runner.interpreter.input(i)
        if t.type == .float32 {
          for _ in 0..<t.shape.elementCount {
            let f = Float(Int64(bitPattern: rng.next()) % 16_000) / 1000
            withUnsafeBytes(of: f.bitPattern.littleEndian) { input += $0 }
          }
        } else if sweepFirst && k == 0 {
          input += (0..<t.byteCount).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        } else {
          input += rng.bytes(t.byteCount)
        }
      }
    }
    return (try ours(runner, input), try tflm(path, input))
  }

  /// Index and values of the first differing bytes, for failure messages.
  static func firstMismatches(_ a: [UInt8], _ b: [UInt8], limit: Int = 8) -> String {
    var lines: [String] = []
    if a.count != b.count { lines.append("lengths \(a.count) vs \(b.count)") }
    for i in 0..<min(a.count, b.count) where a[i] != b[i] {
      lines.append("byte \(i): ours \(a[i]), TFLM \(b[i])")
      if lines.count >= limit { break }
    }
    return lines.joined(separator: "; ")
  }
}

extension SplitMix64 {
  /// `n` pseudo-random bytes (SplitMix64 is declared with the kernel vector tests).
  mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
