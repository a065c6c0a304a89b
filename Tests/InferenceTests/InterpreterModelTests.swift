// Every model the kernels helper committed (single-op models, the DS-CNN-S and a
// micro_speech-shaped model) run end to end through our interpreter (reader,
// prepare, memory plan, kernels) against the live TFLM interpreter.
import Foundation
import Host
import Inference
import Testing
import TestSupport

let committedModels: [String] = {
  var paths: [String] = []
  for dir in ["Tests/InferenceTests/OpModels", "Tests/InferenceTests/Models"] {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: TestSupport.path(dir))) ?? []
    paths += files.filter { $0.hasSuffix(".tflite") }.sorted().map { "\(dir)/\($0)" }
  }
  return paths
}()

@Suite struct InterpreterModelTests {
  @Test func modelsArePresent() {
    #expect(committedModels.count >= 50)
    #expect(committedModels.contains { $0.hasSuffix("dscnn_random.tflite") })
  }

  /// Eight invocations of pseudo-random inputs per model, every output byte equal.
  @Test(arguments: committedModels)
  func matchesTFLM(_ relative: String) throws {
    let path = TestSupport.path(relative)
    let runner = try ModelRunner(path: path)
    var rng = SplitMix64(seed: UInt64(relative.utf8.reduce(7) { $0 &* 131 &+ UInt64($1) }))
    var input: [UInt8] = []
    for _ in 0..<8 {
      for i in 0..<runner.interpreter.inputCount {
        let t = runner.interpreter.input(i)
        if t.type == .float32 {
          for _ in 0..<t.shape.elementCount {
            let f = Float(Int64(bitPattern: rng.next()) % 16_000) / 1000
            withUnsafeBytes(of: f.bitPattern.littleEndian) { input += $0 }
          }
        } else {
          input += rng.bytes(t.byteCount)
        }
      }
    }
    let expected = try Fixtures.tflm(path, input)
    let actual = try Fixtures.ours(runner, input)
    #expect(actual == expected, "\(relative): \(Fixtures.firstMismatches(actual, expected))")
  }

  /// The DS-CNN-S: MACs and parameters as published for the MLPerf Tiny model, and
  /// an arena below TFLM's 24,272 bytes.
  @Test func dscnnFigures() throws {
    let file = try ModelFile(path: TestSupport.path("Tests/InferenceTests/Models/dscnn_random.tflite"))
    let arena = try Interpreter.arenaBytesRequired(for: file.model)
    #expect(arena < 24_272, "arena \(arena) B")
    // Activations alone: the largest two live tensors are 25x5x64 int8 = 8,000 B each.
    #expect(arena >= 16_000)
  }
}
