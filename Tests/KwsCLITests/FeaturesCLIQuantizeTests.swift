// `kws features --quantize`, `--frontend mfcc` and `--reference` through the built binary,
// each against an oracle that does not share its code: the exact integer form of
// microWakeWord's input quantization (REFERENCE 1a), numpy's MFCC (mfcc_ref.py), and the
// float expression the model converters use.
import Foundation
import Host
import TestSupport
import Testing

private func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
  let dir = try TestSupport.temporaryDirectory()
  defer { try? FileManager.default.removeItem(at: dir) }
  return try body(dir)
}

/// espeak-ng speech, 16 kHz 16-bit, padded or trimmed to exactly 1 s.
private func oneSecondOfSpeech(_ text: String, to path: String) throws {
  let wav = path + ".espeak.wav"
  _ = try TestSupport.run("/usr/bin/espeak-ng", ["-v", "en-us", "-w", wav, text])
  _ = try TestSupport.run(
    "/usr/bin/sox", [wav, "-r", "16000", "-b", "16", path, "pad", "0", "1", "trim", "0", "1"])
}

private struct NumpyArray: Decodable {
  let dtype: String
  let shape: [Int]
  let values: [Double]
}

private func features(_ arguments: [String], in dir: URL) throws -> NumpyArray {
  let npy = dir.appendingPathComponent("out-\(UUID().uuidString).npy").path
  let r = try KwsBinary.run(["features", "--format", "npy", "-o", npy] + arguments)
  guard r.status == 0 else {
    throw KwsBinary.Failure(description: "kws \(arguments) failed: \(r.stderr)")
  }
  return try JSONDecoder().decode(
    NumpyArray.self, from: TestSupport.reference("npy_read.py", [npy]))
}

@Suite struct FeaturesCLIQuantizeAndMFCC {
  /// microWakeWord's input: q = clamp((2550 v + 3328) / 6656 - 128, -128, 127), floor
  /// division, the exact integer form of round(v / 25.6 / float32(26/255) - 128).
  @Test func microfrontendQuantizeMatchesTheExactIntegerForm() throws {
    try withTemporaryDirectory { dir in
      let wav = dir.appendingPathComponent("nabu.wav").path
      try oneSecondOfSpeech("okay nabu", to: wav)
      let codes = try features([wav], in: dir)
      let q = try features(["--quantize", "0.101960786,-128", wav], in: dir)
      #expect(q.dtype == "|i1")
      #expect(q.shape == codes.shape)
      let expected = codes.values.map { v -> Double in
        let n = Int(v)
        return Double(min(127, max(-128, (2550 * n + 3328) / 6656 - 128)))
      }
      let wrong = zip(q.values, expected).enumerated().filter { $0.element.0 != $0.element.1 }
      #expect(wrong.isEmpty, "\(wrong.count) mismatches, first \(wrong.prefix(5))")
      #expect(Set(q.values).count > 20, "too few distinct levels to mean anything")
    }
  }

  /// MFCC codes are Q16; --quantize with the MLPerf input (0.5847029, 83) must equal
  /// round_half_even(code / 65536 / float32(scale) + 83) clamped, in double.
  @Test func mfccQuantizeMatchesTheFloatExpression() throws {
    try withTemporaryDirectory { dir in
      let wav = dir.appendingPathComponent("yes.wav").path
      try oneSecondOfSpeech("yes", to: wav)
      let codes = try features(["--frontend", "mfcc", wav], in: dir)
      #expect(codes.dtype == "<i4")
      #expect(codes.shape == [49, 10])
      let q = try features(["--frontend", "mfcc", "--quantize", "0.5847029,83", wav], in: dir)
      #expect(q.shape == [49, 10])
      let scale = Double(Float(0.5847029))
      let expected = codes.values.map { c in
        min(127, max(-128, (c / 65536 / scale + 83).rounded(.toNearestOrEven)))
      }
      #expect(q.values == expected)
    }
  }

  /// The fixed-point MFCC of a clip (peak-normalized, as MLPerf) stays close to numpy's
  /// float MFCC of x / max(x), and --reference (Q16 units, float32) closer still.
  /// Measured on this clip: 3.4e-5 (fixed) and 3.7e-6 (reference) at most.
  @Test func mfccAndItsReferenceTrackNumpy() throws {
    try withTemporaryDirectory { dir in
      let wav = dir.appendingPathComponent("stop.wav").path
      try oneSecondOfSpeech("stop", to: wav)
      let samples = try AudioClip.read(path: wav).samples
      let raw = samples.withUnsafeBytes { Data($0) }
      let numpy = try TestSupport.reference("mfcc_ref.py", ["--normalize"], stdin: raw)
        .withUnsafeBytes {
          Array($0.bindMemory(to: Double.self))
        }
      #expect(numpy.count == 49 * 10)
      let fixed = try features(["--frontend", "mfcc", wav], in: dir)
      let reference = try features(["--frontend", "mfcc", "--reference", wav], in: dir)
      #expect(reference.dtype == "<f4" && reference.shape == [49, 10])
      let fixedError = zip(fixed.values, numpy).map { abs($0 / 65536 - $1) }.max() ?? .infinity
      let referenceError =
        zip(reference.values, numpy).map { abs($0 / 65536 - $1) }.max() ?? .infinity
      #expect(referenceError < 1e-4, "float reference off numpy by \(referenceError)")
      #expect(fixedError < 1e-3, "fixed-point MFCC off numpy by \(fixedError)")
    }
  }

  /// --reference gives the float microfrontend (FloatMicroFrontend) in code units: close
  /// to the fixed-point codes on average (measured 3.0 code units mean on this clip; single
  /// values near the noise-reduction floor differ far more), and genuinely float.
  @Test func microfrontendReferenceIsCloseToTheFixedPoint() throws {
    try withTemporaryDirectory { dir in
      let wav = dir.appendingPathComponent("go.wav").path
      try oneSecondOfSpeech("go left", to: wav)
      let fixed = try features([wav], in: dir)
      let reference = try features(["--reference", wav], in: dir)
      #expect(reference.dtype == "<f4" && reference.shape == fixed.shape)
      let meanError =
        zip(fixed.values, reference.values).map { abs($0 - $1) }.reduce(0, +)
        / Double(fixed.values.count)
      #expect(meanError < 6, "mean |fixed - float| = \(meanError) code units")
      #expect(reference.values.contains { $0 != $0.rounded() }, "reference output is all integers")
      // micro-speech: the same chain at a 20 ms step, in both variants.
      let speech = try features(["--frontend", "micro-speech", wav], in: dir)
      let speechReference = try features(["--frontend", "micro-speech", "--reference", wav], in: dir)
      #expect(speech.shape == [49, 40] && speechReference.shape == [49, 40])
    }
  }

  /// A clip without a positive sample has no x / max(x): an error naming the clip.
  @Test func silentClipIsAnErrorForMFCC() throws {
    try withTemporaryDirectory { dir in
      let raw = dir.appendingPathComponent("clips.raw")
      var samples = [Int16](repeating: 0, count: 32_000)
      for i in 0..<16_000 { samples[i] = Int16(truncatingIfNeeded: (i * 37) % 2001 - 1000) }
      try samples.withUnsafeBytes { Data($0) }.write(to: raw)
      let out = dir.appendingPathComponent("x.npy").path
      let r = try KwsBinary.run([
        "features", "--frontend", "mfcc", "--raw-clips", raw.path, "-o", out,
      ])
      #expect(r.status == 1)
      #expect(r.stderr.contains("\(raw.path)#1"), "\(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }
}
