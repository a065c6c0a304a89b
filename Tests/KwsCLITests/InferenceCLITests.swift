// `kws inspect` and `kws infer`, run as the built binary.
import Foundation
import Testing
import TestSupport

@Suite struct InferenceCLITests {
  static func kws(_ args: [String], stdin: Data? = nil) throws -> String {
    String(decoding: try TestSupport.run(TestSupport.path(".build/debug/kws"), args, stdin: stdin), as: UTF8.self)
  }

  static func okayNabu() throws -> String {
    let out = try TestSupport.run(
      try TestSupport.python(),
      ["-c", "import os, pymicro_wakeword; print(os.path.dirname(pymicro_wakeword.__file__))"])
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) + "/models/okay_nabu.tflite"
  }

  @Test func inspectJSONDescribesTheModel() throws {
    let json = try Self.kws(["inspect", try Self.okayNabu(), "--json"])
    let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let graphs = try #require(report["subgraphs"] as? [[String: Any]])
    #expect(graphs.count == 2)
    let ops = try #require(graphs[0]["operators"] as? [[String: Any]])
    #expect(ops.count == 61)
    #expect(ops[14]["op"] as? String == "CONV_2D")
    // CONV_2D 14: filter [64, 5, 1, 40] onto a [1, 1, 1, 64] output.
    #expect(ops[14]["macs"] as? Int == 64 * 5 * 1 * 40)
    let arena = try #require(report["arenaBytes"] as? Int)
    #expect(arena == (report["variableBytes"] as? Int ?? -1) + (report["activationBytes"] as? Int ?? -1))
    // State variables of okay_nabu: 2x40 + 2x64 + 8x64 + 12x64 + 14x64 + 16x64 int8.
    #expect(report["variableBytes"] as? Int == 80 + 128 + 512 + 768 + 896 + 1024)
  }

  @Test func inspectTextListsOpsTensorsAndArena() throws {
    let text = try Self.kws(["inspect", try Self.okayNabu()])
    #expect(text.contains("STRIDED_SLICE"))
    #expect(text.contains("per-channel x64 on axis 3"))
    #expect(text.contains("MACs per inference:"))
    #expect(text.contains("arena:"))
  }

  /// A Keras export with standalone activations: every op is named and the arena is
  /// planned (no "not planned: unsupported" line).
  @Test func inspectNamesTheKerasActivationOps() throws {
    let json = try Self.kws(["inspect", TestSupport.path("Tests/InferenceTests/Models/keras_conv1d.tflite"), "--json"])
    let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let graphs = try #require(report["subgraphs"] as? [[String: Any]])
    let ops = try #require(graphs[0]["operators"] as? [[String: Any]]).compactMap { $0["op"] as? String }
    for op in ["LEAKY_RELU", "HARD_SWISH", "TANH", "RELU6", "MEAN"] { #expect(ops.contains(op), "\(op) in \(ops)") }
    #expect(!ops.contains { $0.hasPrefix("BUILTIN_") })
    #expect(report["unsupported"] == nil)
    #expect((report["arenaBytes"] as? Int ?? 0) > 0)
  }

  /// `kws infer` on files and on stdin gives TFLM's bytes, invocation by invocation.
  @Test func inferMatchesTFLMOnFilesAndStdin() throws {
    let model = try Self.okayNabu()
    var frames = [UInt8](try TestSupport.reference("speech_features.py", ["okay nabu"]))
    frames.removeLast(frames.count % 120)
    let expected = [UInt8](try TestSupport.reference("tflm_run.py", [model], stdin: Data(frames)))
    #expect(Set(expected).count > 2)

    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var files: [String] = []
    for (i, start) in stride(from: 0, to: frames.count, by: 120).enumerated() {
      let path = dir.appendingPathComponent(String(format: "frame%03d.bin", i)).path
      FileManager.default.createFile(atPath: path, contents: Data(frames[start..<(start + 120)]))
      files.append(path)
    }
    for args in [["--input"] + files, ["--input", "-"]] {
      let out = try Self.kws(["infer", model, "--json"] + args, stdin: Data(frames))
      let lines = out.split(separator: "\n")
      #expect(lines.count == expected.count)
      var got: [UInt8] = []
      for line in lines {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let output = try #require(object["output"] as? [Int])
        #expect(object["argmax"] as? Int == 0)
        #expect(object["file"] is String)
        got += output.map { UInt8($0) }
      }
      #expect(got == expected)
    }
  }

  @Test func inferRefusesWrongSizedInput() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("short.bin").path
    FileManager.default.createFile(atPath: path, contents: Data(count: 119))
    #expect {
      _ = try Self.kws(["infer", try Self.okayNabu(), "--input", path])
    } throws: { error in
      "\(error)".contains("119 bytes") && "\(error)".contains("needs exactly 120")
    }
  }

  @Test func inspectRefusesANonModel() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("noise.tflite").path
    FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 64))
    #expect {
      _ = try Self.kws(["inspect", path])
    } throws: { error in
      "\(error)".contains("not a .tflite model")
    }
  }
}
