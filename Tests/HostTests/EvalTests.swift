// Unit tests for the evaluation helpers: metrics arithmetic on hand-made answers, the
// manifest's normalization field, the dataset's truth labels, the DET sweep and the
// progress line. (The end-to-end checks against Python are in KwsCLITests/EvalCLITests.)
import Foundation
import Host
import Spotter
import TestSupport
import Testing

@Suite struct EvalTests {
  @Test func metricsFromAHandMadeConfusion() {
    var m = ClassificationMetrics(labels: ["silence", "unknown", "yes"])
    m.add(name: "a", truth: 2, scores: [0.1, 0.2, 0.7])
    m.add(name: "b", truth: 2, scores: [0.6, 0.3, 0.1])
    m.add(name: "c", truth: 0, scores: [0.9, 0.05, 0.05])
    m.add(name: "d", truth: 1, scores: [0.4, 0.2, 0.4])  // a tie: the first index wins (numpy)
    #expect(m.confusion == [[1, 0, 0], [1, 0, 0], [1, 0, 1]])
    #expect(m.total == 4 && m.correct == 2 && m.accuracy == 0.5)
    let perClass = m.perClass
    #expect(perClass[0].precision == 1.0 / 3 && perClass[0].recall == 1)
    #expect(perClass[1].precision == 0 && perClass[1].recall == 0 && perClass[1].predicted == 0)
    #expect(perClass[2].precision == 1 && perClass[2].recall == 0.5)
    #expect(m.misclassified.map(\.file) == ["b", "d"])
    #expect(m.misclassified[1].predicted == "silence")
  }

  private func manifest(_ extra: String) throws -> String {
    let dir = try TestSupport.temporaryDirectory()
    let path = dir.appendingPathComponent("m.json").path
    try """
    {"type": "kws", "version": 1, "model": "a.tflite", "frontend": "mfcc", "labels": ["a"]\(extra)}
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func manifestNormalizationField() throws {
    #expect(try ModelManifest.load(path: try manifest("")).normalization == ClipNormalization.none)
    #expect(
      try ModelManifest.load(path: try manifest(", \"normalization\": \"clip-peak\"")).normalization
        == .clipPeak)
    #expect(throws: ManifestError.self) {
      try ModelManifest.load(path: try manifest(", \"normalization\": \"peak\""))
    }
    let bare = try ModelManifest.bare(
      modelPath: "/m.tflite", frontend: "microfrontend", labels: ["a"],
      detection: DetectionSettings(threshold: 0.5))
    #expect(bare.normalization == ClipNormalization.none)
  }

  @Test func datasetTruthLabels() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (folder, file) in [
      ("yes", "1.wav"), ("bed", "2.wav"), ("_unknown_", "3.flac"), ("silence", "4.wav"),
      ("yes", "notes.txt"),
    ] {
      let d = dir.appendingPathComponent(folder)
      try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
      try Data().write(to: d.appendingPathComponent(file))
    }
    let set = try EvalDataset(
      directory: dir.path, labels: ["_silence_", "_unknown_", "yes"], split: nil)
    #expect(
      set.items.map(\.name) == ["_unknown_/3.flac", "bed/2.wav", "silence/4.wav", "yes/1.wav"])
    #expect(set.items.map(\.truth) == [1, 1, 0, 2])
    // Without an unknown label, a word the model lacks is reported, not guessed.
    let strict = try EvalDataset(directory: dir.path, labels: ["silence", "yes"], split: nil)
    #expect(strict.items.map(\.name) == ["silence/4.wav", "yes/1.wav"])
    #expect(Set(strict.skipped.map(\.file)) == ["_unknown_", "bed"])
  }

  @Test func detectionSweepCountsWithTheDetectorRules() {
    // Scores in 1/256 units, window 2, refractory 1000 ms at 100 ms per invocation.
    let setup = DetectorSetup(
      keywords: [DetectionSettings(threshold: 0.5, smoothingWindow: 2, refractoryMs: 1000)],
      labels: [0],
      scoreScale: 1.0 / 256, scoreZeroPoint: 0, scoreRange: 0...255, invocationMs: 100)
    let positive = RecordedScores(samples: 16000, codes: [[0, 200, 200, 0, 0]], detections: 1)
    let negative = RecordedScores(
      samples: 16000 * 36, codes: [[140, 140, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 140, 140]],
      detections: 2)
    #expect(setup.detections(in: positive, threshold: nil) == 1)
    #expect(setup.detections(in: negative, threshold: nil) == 2)  // two bursts, 11 invocations apart
    #expect(setup.detections(in: negative, threshold: 0.6) == 0)
    let report = DetectionReport(
      model: "m", setup: setup, positives: [positive], negatives: [negative], targetFAPerHour: 0.5,
      skipped: [])
    #expect(report.negative_hours == 0.01)
    #expect(report.fa_per_hour == 200 && report.frr == 0)
    #expect(report.target.threshold == 0.55)  // 140/256 = 0.547 is the highest negative mean
    #expect(report.curve.count == 101)  // 0.5 is already on the grid
  }

  @Test func progressLine() {
    let line = EvalProgress.line(label: "clips", done: 50, total: 200, seconds: 10)
    #expect(line.contains("50/200") && line.contains("5.0/s") && line.contains("ETA 30s"))
    #expect(line.hasPrefix("\rclips [#######-"))
  }
}
