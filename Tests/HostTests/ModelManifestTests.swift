import Foundation
import Frontend
import Host
import Spotter
import TestSupport
import Testing

@Suite struct ModelManifestTests {
  private func write(_ text: String, name: String = "m.json") throws -> String {
    let dir = try TestSupport.temporaryDirectory()
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func readsTheMicroWakeWordManifestsAsShipped() throws {
    // The JSON files inside pymicro-wakeword, found through the reference venv.
    let out = try TestSupport.run(
      try TestSupport.python(),
      ["-c", "import pymicro_wakeword, pathlib; print(pathlib.Path(pymicro_wakeword.__file__).parent / 'models')"])
    let models = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let m = try ModelManifest.load(path: models + "/okay_nabu.json")
    #expect(m.kind == .streaming)
    #expect(m.frontend == .microfrontend)
    #expect(m.labels == ["Okay Nabu"] && m.keywords == ["Okay Nabu"])
    #expect(m.detection == DetectionSettings(threshold: 0.85, smoothingWindow: 5, refractoryMs: 1000))
    #expect(m.modelPath == models + "/okay_nabu.tflite")
    for name in ["alexa", "hey_jarvis", "hey_mycroft"] {
      let other = try ModelManifest.load(path: models + "/\(name).json")
      #expect(other.name == name)
      #expect(other.detection.threshold > 0 && other.detection.threshold < 1)
    }
  }

  @Test func readsOurOwnFormatWithOverrides() throws {
    let path = try write(
      """
      {"type": "kws", "version": 1, "name": "sc", "model": "sub/dscnn.tflite", "kind": "classifier",
       "frontend": "mfcc", "labels": ["yes", "no", "silence", "unknown"],
       "window_frames": 49, "stride_frames": 5, "input": {"scale": 0.5847029, "zero_point": 83},
       "detection": {"threshold": 0.7, "smoothing": 3, "refractory_ms": 800},
       "keyword_detection": {"no": {"threshold": 0.9}}}
      """)
    let m = try ModelManifest.load(path: path)
    #expect(m.keywords == ["yes", "no"])
    #expect(m.kind == .classifier && m.windowFrames == 49 && m.strideFrames == 5)
    #expect(m.inputScale == 0.5847029 && m.inputZeroPoint == 83)
    #expect(m.detectionSettings(for: "yes") == DetectionSettings(threshold: 0.7, smoothingWindow: 3, refractoryMs: 800))
    #expect(m.detectionSettings(for: "no") == DetectionSettings(threshold: 0.9, smoothingWindow: 3, refractoryMs: 800))
    #expect(m.modelPath.hasSuffix("/sub/dscnn.tflite"))
  }

  @Test(arguments: [
    ("[1, 2]", "expected a JSON object"),
    ("{\"type\": \"kws\"", "not valid JSON"),
    ("{\"type\": \"kws\", \"version\": 1}", "missing field model"),
    ("{\"type\": \"other\", \"model\": \"a.tflite\"}", "unknown manifest type"),
    ("{\"type\": \"micro\", \"model\": \"a.tflite\", \"version\": 1}", "version 1 is not supported"),
    ("{\"type\": \"micro\", \"model\": \"a.tflite\", \"version\": 2, \"wake_word\": \"x\", \"micro\": {\"probability_cutoff\": 0.5, \"sliding_window_size\": 5, \"feature_step_size\": 20}}",
     "feature_step_size 20"),
    ("{\"type\": \"micro\", \"model\": \"a.tflite\", \"version\": 2, \"wake_word\": \"x\", \"micro\": {\"sliding_window_size\": 5, \"feature_step_size\": 10}}",
     "missing field micro.probability_cutoff"),
    ("{\"type\": \"kws\", \"version\": 1, \"model\": \"a.tflite\", \"frontend\": \"fbank\", \"labels\": [\"a\"]}",
     "unknown frontend \"fbank\""),
    ("{\"type\": \"kws\", \"version\": 1, \"model\": \"a.tflite\", \"frontend\": \"mfcc\", \"labels\": \"a\"}",
     "labels has the wrong type"),
    ("{\"type\": \"kws\", \"version\": 1, \"model\": \"a.tflite\", \"frontend\": \"mfcc\", \"labels\": [\"a\"], \"detection\": {\"threshold\": 2}}",
     "detection.threshold 2.0 is not in 0...1"),
    ("{\"type\": \"kws\", \"version\": 1, \"model\": \"a.tflite\", \"frontend\": \"mfcc\", \"labels\": [\"a\"], \"keywords\": [\"b\"]}",
     "keyword \"b\" is not among the labels"),
    ("{\"type\": \"kws\", \"version\": 1, \"model\": \"a.tflite\", \"frontend\": \"mfcc\", \"labels\": [\"a\"], \"window_frames\": 4.5}",
     "window_frames must be a whole number"),
  ])
  func badManifestsSayWhatIsWrong(text: String, message: String) throws {
    let path = try write(text)
    do {
      _ = try ModelManifest.load(path: path)
      Issue.record("accepted a bad manifest: \(text)")
    } catch {
      #expect(error.path == path)
      #expect(error.problem.contains(message), "\(error.problem)")
    }
  }

  @Test func missingFileIsAClearError() {
    #expect(throws: ManifestError.self) { try ModelManifest.load(path: "/nonexistent/m.json") }
  }
}

@Suite struct ModelManifestTypeTests {
  @Test func booleansAreNotNumbers() throws {
    let dir = try TestSupport.temporaryDirectory()
    let path = dir.appendingPathComponent("b.json").path
    try """
    {"type": "kws", "version": 1, "model": "a.tflite", "frontend": "mfcc", "labels": ["a"], "window_frames": true}
    """.write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: ManifestError(path: path, problem: "window_frames must be a whole number")) {
      try ModelManifest.load(path: path)
    }
  }
}
