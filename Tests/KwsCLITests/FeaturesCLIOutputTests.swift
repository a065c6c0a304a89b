// `kws features` output checked against the LIVE reference: the TFLM microfrontend C
// library inside pymicro-features (Tests/Reference/microfrontend_ref.py), run on the very
// samples our audio reader decoded. Text, JSON and npy must all say the same thing.
import Foundation
import Host
import TestSupport
import Testing

private func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
  let dir = try TestSupport.temporaryDirectory()
  defer { try? FileManager.default.removeItem(at: dir) }
  return try body(dir)
}

private func sox(_ arguments: [String]) throws {
  _ = try TestSupport.run("/usr/bin/sox", arguments)
}

/// Speech at 22,050 Hz from espeak-ng, turned by sox into `path` with `soxOptions`
/// (output format) and `effects`.
private func speech(_ text: String, to path: String, soxOptions: [String], effects: [String] = [])
  throws
{
  let wav = path + ".espeak.wav"
  _ = try TestSupport.run("/usr/bin/espeak-ng", ["-v", "en-us", "-w", wav, text])
  try sox([wav] + soxOptions + [path] + effects)
}

private func rawBytes(_ samples: [Int16]) -> Data {
  samples.withUnsafeBytes { Data($0) }
}

private func uint16s(_ data: Data) -> [UInt16] {
  data.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
}

/// The live reference's features for `samples`: 10 ms step through pymicro-features'
/// public API, 20 ms step through the same C library's C API.
private func referenceFeatures(_ samples: [Int16], stepMs: Int = 10) throws -> [UInt16] {
  let arguments = stepMs == 10 ? ["features"] : ["ctypes", "--step-ms", "\(stepMs)"]
  return uint16s(
    try TestSupport.reference("microfrontend_ref.py", arguments, stdin: rawBytes(samples)))
}

private struct NumpyArray: Decodable {
  let dtype: String
  let shape: [Int]
  let values: [Double]
}

private func numpyLoad(_ path: String) throws -> NumpyArray {
  try JSONDecoder().decode(NumpyArray.self, from: TestSupport.reference("npy_read.py", [path]))
}

/// Mismatches between two code lists, as "frame f, channel c: ours x, reference y".
private func mismatches(_ ours: [Double], _ reference: [UInt16], features: Int = 40) -> [String] {
  var out: [String] = []
  if ours.count != reference.count {
    out.append("count: ours \(ours.count), reference \(reference.count)")
  }
  for i in 0..<min(ours.count, reference.count) where ours[i] != Double(reference[i]) {
    out.append(
      "frame \(i / features), channel \(i % features): ours \(ours[i]), reference \(reference[i])")
  }
  return out
}

@Suite struct FeaturesCLIOutput {
  /// A 44.1 kHz stereo FLAC: decoded (downmix, soxr) by our reader, then the CLI's npy
  /// must equal the C microfrontend on those samples, frame for frame.
  @Test func microfrontendNpyMatchesTheLiveReference() throws {
    try withTemporaryDirectory { dir in
      let flac = dir.appendingPathComponent("okay.flac").path
      try speech("okay nabu, turn on the light", to: flac, soxOptions: ["-r", "44100", "-c", "2"])
      let samples = try AudioClip.read(path: flac).samples
      let reference = try referenceFeatures(samples)
      #expect(reference.count >= 40 * 50, "reference made only \(reference.count / 40) frames")

      let npy = dir.appendingPathComponent("f.npy").path
      let r = try KwsBinary.run(["features", "--format", "npy", "-o", npy, flac])
      #expect(r.status == 0, "\(r.stderr)")
      let array = try numpyLoad(npy)
      #expect(array.dtype == "<u2")
      #expect(array.shape == [reference.count / 40, 40])
      let wrong = mismatches(array.values, reference)
      #expect(wrong.isEmpty, "\(wrong.count) mismatches: \(wrong.prefix(5))")
    }
  }

  @Test func microSpeechUsesTheTwentyMillisecondStep() throws {
    try withTemporaryDirectory { dir in
      let wav = dir.appendingPathComponent("yes.wav").path
      try speech("yes", to: wav, soxOptions: ["-r", "16000", "-b", "16"])
      let samples = try AudioClip.read(path: wav).samples
      let reference = try referenceFeatures(samples, stepMs: 20)
      let npy = dir.appendingPathComponent("f.npy").path
      let r = try KwsBinary.run([
        "features", "--frontend", "micro-speech", "--format", "npy", "-o", npy, wav,
      ])
      #expect(r.status == 0, "\(r.stderr)")
      let array = try numpyLoad(npy)
      #expect(array.shape == [reference.count / 40, 40])
      #expect(array.shape.first == (samples.count - 480) / 320 + 1)
      let wrong = mismatches(array.values, reference)
      #expect(wrong.isEmpty, "\(wrong.count) mismatches: \(wrong.prefix(5))")
    }
  }

  /// Text (one frame per row) and JSON carry exactly the npy values.
  @Test func textAndJSONAgreeWithNpy() throws {
    try withTemporaryDirectory { dir in
      let wav = dir.appendingPathComponent("go.wav").path
      try speech("go", to: wav, soxOptions: ["-r", "16000", "-b", "16"])
      let reference = try referenceFeatures(try AudioClip.read(path: wav).samples)
      let frames = reference.count / 40

      let text = try KwsBinary.run(["features", wav])
      #expect(text.status == 0, "\(text.stderr)")
      let lines = text.text.split(separator: "\n")
      #expect(lines.first == "# \(wav): \(frames) frames x 40 uint16")
      let rows = lines.dropFirst().map { $0.split(separator: " ").map { Double($0)! } }
      #expect(rows.count == frames && rows.allSatisfy { $0.count == 40 })
      #expect(mismatches(rows.flatMap { $0 }, reference).isEmpty)

      let json = try KwsBinary.run(["features", "--format", "json", wav])
      #expect(json.status == 0, "\(json.stderr)")
      let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
      #expect(object?["frontend"] as? String == "microfrontend")
      #expect(object?["dtype"] as? String == "uint16")
      #expect(object?["featureCount"] as? Int == 40)
      let items = object?["items"] as? [[String: Any]]
      #expect(items?.count == 1)
      #expect(items?.first?["source"] as? String == wav)
      #expect(items?.first?["frameCount"] as? Int == frames)
      let values = (items?.first?["frames"] as? [[Double]])?.flatMap { $0 } ?? []
      #expect(mismatches(values, reference).isEmpty)
    }
  }

  /// Several equal-length files stack to [files, frames, 40], each its own fresh front
  /// end; unequal lengths are refused naming both files.
  @Test func severalFilesStackWhenEqualInLength() throws {
    try withTemporaryDirectory { dir in
      var paths: [String] = []
      var expected: [UInt16] = []
      for (i, word) in ["left", "right", "stop"].enumerated() {
        let wav = dir.appendingPathComponent("w\(i).wav").path
        // Padded/trimmed to exactly 1 s so the three stack.
        try speech(
          word, to: wav, soxOptions: ["-r", "16000", "-b", "16"],
          effects: ["pad", "0", "1", "trim", "0", "1"])
        paths.append(wav)
        expected += try referenceFeatures(try AudioClip.read(path: wav).samples)
      }
      let list = dir.appendingPathComponent("list.txt")
      try (paths.dropFirst().joined(separator: "\n") + "\n").write(
        to: list, atomically: true, encoding: .utf8)
      let npy = dir.appendingPathComponent("f.npy").path
      let r = try KwsBinary.run([
        "features", "--format", "npy", "-o", npy, paths[0], "--files-from", list.path,
      ])
      #expect(r.status == 0, "\(r.stderr)")
      let array = try numpyLoad(npy)
      #expect(array.shape == [3, 98, 40])
      #expect(mismatches(array.values, expected).isEmpty)

      let short = dir.appendingPathComponent("short.wav").path
      try sox([paths[0], short, "trim", "0", "0.5"])
      let bad = try KwsBinary.run(["features", "--format", "npy", "-o", npy, paths[0], short])
      #expect(bad.status == 1)
      #expect(bad.stderr.contains(paths[0]) && bad.stderr.contains(short), "\(bad.stderr)")
      #expect(!FileManager.default.fileExists(atPath: npy), "a failed run left \(npy) behind")
    }
  }

  /// --raw-clips: back-to-back s16le clips, each with a fresh front end, one npy
  /// [clips, frames, 40] (what the training recipe reads).
  @Test func rawClipsEachGetAFreshFrontEnd() throws {
    try withTemporaryDirectory { dir in
      var clips: [[Int16]] = []
      for (i, word) in ["up", "down", "no"].enumerated() {
        let wav = dir.appendingPathComponent("c\(i).wav").path
        try speech(
          word, to: wav, soxOptions: ["-r", "16000", "-b", "16"],
          effects: ["pad", "0", "1", "trim", "0", "1"])
        clips.append(try AudioClip.read(path: wav).samples)
      }
      #expect(clips.allSatisfy { $0.count == 16_000 })
      let raw = dir.appendingPathComponent("clips.raw")
      try rawBytes(clips.flatMap { $0 }).write(to: raw)
      let npy = dir.appendingPathComponent("x.npy").path
      let r = try KwsBinary.run([
        "features", "--raw-clips", raw.path, "--clip-samples", "16000", "-o", npy,
      ])
      #expect(r.status == 0, "\(r.stderr)")
      let array = try numpyLoad(npy)
      #expect(array.dtype == "<u2")
      #expect(array.shape == [3, 98, 40])
      // Each clip's reference runs alone: a noise estimate carried over from the clip
      // before would show up as mismatches in clips 1 and 2.
      let expected = try clips.flatMap { try referenceFeatures($0) }
      let wrong = mismatches(array.values, expected)
      #expect(wrong.isEmpty, "\(wrong.count) mismatches: \(wrong.prefix(5))")
    }
  }

  /// Warnings about tolerable damage go to stderr, naming the file; the run succeeds.
  @Test func warningsGoToStandardError() throws {
    try withTemporaryDirectory { dir in
      let samples = [UInt8](repeating: 3, count: 16_000)
      let wav = dir.appendingPathComponent("short.wav")
      try WAVBytes.write(
        WAVBytes.riff([
          WAVBytes.chunk("fmt ", WAVBytes.fmt()),
          WAVBytes.chunk("data", samples, declaredSize: 16_010),
        ]),
        to: wav)
      let r = try KwsBinary.run(["features", wav.path])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("\(wav.path): warning: data chunk"), "\(r.stderr)")
      #expect(r.text.hasPrefix("# \(wav.path): 48 frames x 40 uint16"))
    }
  }
}
