// `kws eval` against independent Python computations:
// - classification: the random DS-CNN test model on a folder built here (espeak-ng words,
//   a word the model lacks, _silence_, _background_noise_ cut into 1 s clips, a corrupt
//   file); the confusion matrix and every clip's scores must equal TFLM run on the
//   features `kws features --quantize` writes (Tests/Reference/eval_classify_ref.py);
// - detection: okay_nabu over espeak "okay nabu" positives and speech/noise negatives;
//   every figure and the whole DET curve must equal pymicro-wakeword on TFLM
//   (Tests/Reference/eval_detection_ref.py);
// - --jobs 1 and --jobs 2 write identical JSON; the HTML report holds both plots.
import Foundation
import Host
import TestSupport
import Testing

struct ChromiumMissing: Error, CustomStringConvertible {
  let description: String
}

@Suite(.serialized) struct EvalCLITests {
  static let labels = [
    "silence", "unknown", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
  ]
  static let model = TestSupport.path("Tests/InferenceTests/Models/dscnn_random.tflite")

  struct Classification: Decodable {
    struct Clip: Decodable {
      let file: String
      let truth: String
      let predicted: String
      let scores: [Double]
    }
    struct Skip: Decodable {
      let file: String
      let reason: String
    }
    let accuracy: Double
    let correct: Int
    let total: Int
    let labels: [String]
    let confusion: [[Int]]
    let clips: [Clip]
    let skipped: [Skip]
  }

  struct ClassificationReference: Decodable {
    let confusion: [[Int]]
    let outputs: [[Int]]
  }

  private func sox(_ arguments: [String]) throws {
    _ = try TestSupport.run("/usr/bin/sox", arguments)
  }

  /// A word spoken by espeak-ng, made exactly 1 s (16,000 samples) so that `kws
  /// features` on the file sees the same samples as eval's pad/trim.
  private func word(_ text: String, voice: String, to path: String, in dir: URL) throws {
    let raw = dir.appendingPathComponent("raw.wav").path
    let rate16k = dir.appendingPathComponent("raw16k.wav").path
    _ = try TestSupport.run("/usr/bin/espeak-ng", ["-v", voice, "-w", raw, text])
    // Resample first: sox counts trim's samples at the input rate (espeak's 22,050 Hz).
    try sox([raw, "-r", "16000", "-c", "1", "-b", "16", rate16k])
    try sox([rate16k, path, "pad", "0", "1", "trim", "0", "16000s"])
  }

  /// The folder, plus the 1 s files that stand for each clip eval sees (name -> path).
  private func makeFolder(_ dir: URL) throws -> (root: String, clips: [String: String]) {
    let root = dir.appendingPathComponent("set")
    var clips: [String: String] = [:]
    for folder in ["yes", "no", "bed", "_silence_", "_background_noise_"] {
      try FileManager.default.createDirectory(
        at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
    }
    for w in ["yes", "no", "bed"] {
      for (i, voice) in ["en-us", "en-us+f3", "en-gb+m4"].enumerated() {
        let name = "\(w)/\(w)\(i).wav"
        try word(w, voice: voice, to: root.appendingPathComponent(name).path, in: dir)
        clips[name] = root.appendingPathComponent(name).path
      }
    }
    let silence = root.appendingPathComponent("_silence_/zero.wav").path
    // Near silence (a digitally silent clip has no peak to normalize by, and `kws
    // features` refuses it). A time, not a sample count: sox counts trim samples at
    // the null input's own rate.
    try sox([
      "-n", "-r", "16000", "-c", "1", "-b", "16", silence, "synth", "1", "whitenoise", "vol",
      "0.001",
    ])
    clips["_silence_/zero.wav"] = silence
    // 2.5 s of noise: two 1 s cuts, the last half second dropped.
    let noise = root.appendingPathComponent("_background_noise_/pink.wav").path
    try sox([
      "-n", "-r", "16000", "-c", "1", "-b", "16", noise, "synth", "2.5", "pinknoise", "vol", "0.3",
    ])
    for k in 0..<2 {
      let cut = dir.appendingPathComponent("cut\(k).wav").path
      try sox([noise, cut, "trim", "\(k * 16000)s", "16000s"])
      clips["_background_noise_/pink.wav#\(k)"] = cut
    }
    try Data("not audio at all".utf8).write(to: root.appendingPathComponent("no/corrupt.wav"))
    return (root.path, clips)
  }

  /// The page as headless Chromium builds it (its DOM after parsing), and a screenshot
  /// that must be a non-trivial PNG. Chromium is a Makefile dependency: missing is an error.
  private func render(_ html: String, in dir: URL) throws -> String {
    let chromium = "/usr/bin/chromium"
    guard FileManager.default.isExecutableFile(atPath: chromium) else {
      throw ChromiumMissing(description: "no \(chromium): `apt-get install chromium` (make deps)")
    }
    let flags = [
      "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.path)/chromium",
    ]
    let dom = String(
      decoding: try TestSupport.run(chromium, flags + ["--dump-dom", "file://\(html)"]),
      as: UTF8.self)
    let png = dir.appendingPathComponent("page.png").path
    _ = try TestSupport.run(
      chromium, flags + ["--screenshot=\(png)", "--window-size=900,1200", "file://\(html)"])
    let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
    #expect(bytes.count > 10_000 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    return dom
  }

  private func eval(_ arguments: [String]) throws -> KwsResult {
    let result = try KwsBinary.run(["eval"] + arguments)
    #expect(result.status == 0, "\(result.stderr)")
    return result
  }

  @Test func classificationMatchesTFLMOnTheSameFeatures() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (root, clips) = try makeFolder(dir)
    let json1 = dir.appendingPathComponent("j1.json").path
    let json2 = dir.appendingPathComponent("j2.json").path
    let html = dir.appendingPathComponent("r.html").path
    let common = [
      "--model", Self.model, "--frontend", "mfcc", "--labels", Self.labels.joined(separator: ","),
      root,
    ]
    let run1 = try eval(common + ["--jobs", "1", "--json", json1, "--report", html])
    _ = try eval(common + ["--jobs", "2", "--json", json2])
    let data1 = try Data(contentsOf: URL(fileURLWithPath: json1))
    #expect(
      data1 == (try Data(contentsOf: URL(fileURLWithPath: json2))), "--jobs 1 and --jobs 2 differ")
    #expect(run1.stderr.contains("no/corrupt.wav"))
    let ours = try JSONDecoder().decode(Classification.self, from: data1)
    #expect(ours.labels == Self.labels)
    #expect(ours.total == 12)  // 9 words + 1 silence + 2 background cuts; corrupt skipped
    #expect(ours.skipped.map(\.file) == ["no/corrupt.wav"])
    #expect(ours.skipped.first?.reason.contains("libsndfile") == true)
    #expect(Set(ours.clips.map(\.file)) == Set(clips.keys))
    // Truths: bed -> unknown, background cuts -> silence.
    for clip in ours.clips {
      let folder = String(clip.file.split(separator: "/")[0])
      let truth =
        ["bed": "unknown", "_silence_": "silence", "_background_noise_": "silence"][folder]
        ?? folder
      #expect(clip.truth == truth, "\(clip.file)")
    }

    // The reference: features from `kws features --quantize`, TFLM, argmax.
    let runner = try ModelRunner(path: Self.model)
    let input = runner.interpreter.input(0)
    let output = runner.interpreter.output(0)
    var request: [[String: Any]] = []
    for clip in ours.clips {
      let npy = dir.appendingPathComponent("f\(request.count).npy").path
      let features = try KwsBinary.run([
        "features", "--frontend", "mfcc", "--quantize", "\(input.scale),\(input.zeroPoint)",
        "--format", "npy",
        "-o", npy, clips[clip.file]!,
      ])
      #expect(features.status == 0, "\(features.stderr)")
      request.append(["npy": npy, "truth": Self.labels.firstIndex(of: clip.truth)!])
    }
    let reference = try JSONDecoder().decode(
      ClassificationReference.self,
      from: try TestSupport.reference(
        "eval_classify_ref.py", [Self.model, "\(Self.labels.count)"],
        stdin: try JSONSerialization.data(withJSONObject: ["clips": request])))
    #expect(ours.confusion == reference.confusion)
    for (clip, codes) in zip(ours.clips, reference.outputs) {
      let expected = codes.map { Double(Int32($0) - output.zeroPoint) * Double(output.scale) }
      #expect(clip.scores == expected, "\(clip.file)")
    }
    #expect(ours.correct == (0..<12).reduce(0) { $0 + reference.confusion[$1][$1] })

    // The page: self-contained (no scripts, no fetched assets), and Chromium's DOM holds
    // the heat map with one cell per (truth, prediction) pair.
    let page = try String(contentsOfFile: html, encoding: .utf8)
    #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("href="))
    let dom = try render(html, in: dir)
    #expect(dom.contains("<svg id=\"confusion\""))
    #expect(dom.components(separatedBy: "class=\"cell\"").count - 1 == 144)
  }

  @Test func splitListSelectsClipsAndMissingListIsAnError() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (root, _) = try makeFolder(dir)
    let common = [
      "--model", Self.model, "--frontend", "mfcc", "--labels", Self.labels.joined(separator: ","),
    ]
    let missing = try KwsBinary.run(["eval"] + common + [root, "--split", "testing"])
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("testing_list.txt"))
    // The list names .wav; a .flac copy would match too (names compare without extension).
    try Data("yes/yes1.wav\nbed/bed2.flac\n".utf8).write(
      to: URL(fileURLWithPath: root).appendingPathComponent("testing_list.txt"))
    let json = dir.appendingPathComponent("s.json").path
    _ = try eval(common + [root, "--split", "testing", "--json", json])
    let ours = try JSONDecoder().decode(
      Classification.self, from: try Data(contentsOf: URL(fileURLWithPath: json)))
    // Background cuts count in every split.
    #expect(
      ours.clips.map(\.file).sorted()
        == [
          "_background_noise_/pink.wav#0", "_background_noise_/pink.wav#1", "bed/bed2.wav",
          "yes/yes1.wav",
        ])
  }

  @Test func badFolderIsAClearError() throws {
    let result = try KwsBinary.run([
      "eval", "--model", Self.model, "--frontend", "mfcc", "--labels",
      Self.labels.joined(separator: ","),
      "/nonexistent/folder",
    ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("/nonexistent/folder"))
  }

  struct Detection: Decodable {
    struct Point: Decodable, Equatable {
      let threshold: Double
      let frr: Double
      let fa_per_hour: Double
    }
    struct Target: Decodable {
      let fa_per_hour: Double
      let threshold: Double?
      let frr: Double?
    }
    let frr: Double
    let fa_per_hour: Double
    let threshold: Double
    let positives: Int
    let positives_detected: Int
    let negatives: Int
    let negative_hours: Double
    let false_accepts: Int
    let curve: [Point]
    let target: Target
  }

  @Test func detectionMatchesPymicroWakewordOnTFLM() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let manifest = try WakeWordClips.modelsFolder() + "/okay_nabu.json"
    let pos = dir.appendingPathComponent("pos")
    let neg = dir.appendingPathComponent("neg")
    for d in [pos, neg] {
      try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    }
    let work = dir.appendingPathComponent("work")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    let positive = try WakeWordClips.make("okay nabu", in: work, name: "p0")
    try FileManager.default.moveItem(
      atPath: positive, toPath: pos.appendingPathComponent("p0.wav").path)
    let positive1 = try WakeWordClips.make("okay, nah boo", in: work, name: "p1")
    try FileManager.default.moveItem(
      atPath: positive1, toPath: pos.appendingPathComponent("p1.wav").path)
    let speech = try WakeWordClips.make(
      "the quick brown fox jumps over the lazy dog while it is raining in the north of the country",
      in: work,
      name: "n0")
    try FileManager.default.moveItem(
      atPath: speech, toPath: neg.appendingPathComponent("n0.wav").path)
    try sox([
      "-n", "-r", "16000", "-c", "1", "-b", "16", neg.appendingPathComponent("n1.wav").path,
      "synth", "20",
      "brownnoise", "vol", "0.1",
    ])
    let json1 = dir.appendingPathComponent("d1.json").path
    let json2 = dir.appendingPathComponent("d2.json").path
    let html = dir.appendingPathComponent("d.html").path
    let common = [
      "--model", manifest, "--positives", pos.path, "--negatives", neg.path, "--target-fa-per-hour",
      "0.5",
    ]
    _ = try eval(common + ["--jobs", "1", "--json", json1, "--report", html])
    _ = try eval(common + ["--jobs", "2", "--json", json2])
    let data1 = try Data(contentsOf: URL(fileURLWithPath: json1))
    #expect(
      data1 == (try Data(contentsOf: URL(fileURLWithPath: json2))), "--jobs 1 and --jobs 2 differ")
    let ours = try JSONDecoder().decode(Detection.self, from: data1)
    let reference = try JSONDecoder().decode(
      Detection.self,
      from: try TestSupport.reference(
        "eval_detection_ref.py",
        [
          manifest, "--positives", pos.appendingPathComponent("p0.wav").path,
          pos.appendingPathComponent("p1.wav").path,
          "--negatives", neg.appendingPathComponent("n0.wav").path,
          neg.appendingPathComponent("n1.wav").path,
        ]))
    #expect(ours.positives == 2 && ours.negatives == 2)
    #expect(ours.positives_detected == reference.positives_detected)
    #expect(ours.false_accepts == reference.false_accepts)
    #expect(ours.frr == reference.frr)
    #expect(ours.fa_per_hour == reference.fa_per_hour)
    #expect(ours.negative_hours == reference.negative_hours)
    #expect(ours.threshold == reference.threshold)
    #expect(ours.curve == reference.curve)
    #expect(ours.target.threshold == reference.target.threshold)
    #expect(ours.target.frr == reference.target.frr)
    // A curve that moves: low thresholds fire on everything, high ones on nothing.
    #expect(ours.curve.first!.frr == 0 && ours.curve.last!.frr == 1)
    let dom = try render(html, in: dir)
    #expect(dom.contains("<svg id=\"det\"") && dom.contains("class=\"det-curve\""))
    // One polyline point per threshold of the curve.
    let points = dom.components(separatedBy: "class=\"det-curve\" points=\"")[1].prefix {
      $0 != "\""
    }
    #expect(points.split(separator: " ").count == ours.curve.count)
  }
}
