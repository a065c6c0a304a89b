// Test clips for the MFCC checks, made on the fly with espeak-ng and sox (deterministic:
// espeak-ng is, and sox runs with -R): speech at several levels, noise, a tone, silence,
// full scale and very quiet. 1 s at 16 kHz, int16.
import Foundation
import TestSupport

enum MFCCTestClips {
  struct Clip {
    let name: String
    let samples: [Int16]
    /// Synthetic spectra with nearly empty mel bands (tones, sweeps, the LSB pattern): no
    /// noise floor, so bands 120+ dB below the peak carry the fixed-point FFT's rounding.
    var isNarrowband: Bool {
      name.hasPrefix("tone") || name.hasPrefix("sweep") || name.hasPrefix("pattern")
    }
  }

  /// Converts any audio file sox reads to exactly 1 s of 16 kHz mono int16 (padded or
  /// trimmed), with extra sox effects (gain, etc.) appended.
  static func soxClip(_ input: String, effects: [String], in dir: URL) throws -> [Int16] {
    let out = dir.appendingPathComponent("clip-\(UUID().uuidString).raw").path
    _ = try TestSupport.run(
      "/usr/bin/sox",
      [
        "-R", "-V1", input, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t",
        "raw", out,
      ]
        + effects + ["pad", "0", "1", "trim", "0", "1"])
    return try raw(out)
  }

  static func raw(_ path: String) throws -> [Int16] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
  }

  static func speech(_ text: String, voice: String, in dir: URL) throws -> String {
    let wav = dir.appendingPathComponent("speech-\(UUID().uuidString).wav").path
    _ = try TestSupport.run("/usr/bin/espeak-ng", ["-v", voice, "-w", wav, text])
    return wav
  }

  /// The standard set used by the accuracy tests, made once per test run.
  static func all() throws -> [Clip] { try cache.get() }

  private static let cache = Result { try make() }

  private static func make() throws -> [Clip] {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var clips: [Clip] = []
    let yes = try speech("yes", voice: "en-us", in: dir)
    let stop = try speech("stop", voice: "en+f3", in: dir)
    let left = try speech("left", voice: "en-gb", in: dir)
    clips.append(
      Clip(name: "speech yes 0 dBFS", samples: try soxClip(yes, effects: ["norm", "0"], in: dir)))
    clips.append(
      Clip(
        name: "speech stop -12 dBFS", samples: try soxClip(stop, effects: ["norm", "-12"], in: dir))
    )
    clips.append(
      Clip(
        name: "speech left -30 dBFS", samples: try soxClip(left, effects: ["norm", "-30"], in: dir))
    )
    clips.append(
      Clip(
        name: "speech yes -60 dBFS", samples: try soxClip(yes, effects: ["norm", "-60"], in: dir)))
    // Speech over noise, the usual case for a microphone.
    let noise = dir.appendingPathComponent("noise.wav").path
    _ = try TestSupport.run(
      "/usr/bin/sox",
      [
        "-R", "-V1", "-n", "-r", "16000", "-c", "1", "-b", "16", noise, "synth", "1", "pinknoise",
        "vol", "0.02",
      ])
    let mixed = dir.appendingPathComponent("mixed.wav").path
    let yes16 = dir.appendingPathComponent("yes16.wav").path
    _ = try TestSupport.run(
      "/usr/bin/sox", ["-R", "-V1", yes, "-r", "16000", yes16, "pad", "0", "1", "trim", "0", "1"])
    _ = try TestSupport.run("/usr/bin/sox", ["-R", "-V1", "-m", yes16, noise, mixed])
    clips.append(
      Clip(
        name: "speech + pink noise", samples: try soxClip(mixed, effects: ["norm", "-6"], in: dir)))
    clips.append(
      Clip(name: "white noise -20 dBFS", samples: try synth(["whitenoise", "vol", "0.1"], in: dir)))
    clips.append(
      Clip(name: "brown noise", samples: try synth(["brownnoise", "vol", "0.3"], in: dir)))
    clips.append(
      Clip(
        name: "tone 1 kHz full scale",
        samples: try synth(["sine", "1000", "vol", "0.999"], in: dir)))
    clips.append(
      Clip(
        name: "sweep 20-4000 Hz", samples: try synth(["sine", "20-4000", "vol", "0.5"], in: dir)))
    clips.append(Clip(name: "digital silence", samples: [Int16](repeating: 0, count: 16_000)))
    // A noise-free period-3 pattern of +-1 LSB: energy only at DC and 5333 Hz, so the mel
    // bands (20-4000 Hz) hold nothing but window leakage, 120-160 dB below the peak bin.
    clips.append(
      Clip(name: "pattern period-3 LSB", samples: (0..<16_000).map { Int16(($0 * 7919 % 3) - 1) }))
    clips.append(
      Clip(
        name: "full-scale square",
        samples: (0..<16_000).map { ($0 / 20) % 2 == 0 ? Int16.max : Int16.min }))
    return clips
  }

  static func synth(_ args: [String], in dir: URL) throws -> [Int16] {
    let out = dir.appendingPathComponent("synth-\(UUID().uuidString).raw").path
    _ = try TestSupport.run(
      "/usr/bin/sox",
      [
        "-R", "-V1", "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t",
        "raw", out, "synth", "1",
      ]
        + args)
    return try raw(out)
  }

  static func bytes(_ samples: [Int16]) -> Data {
    samples.withUnsafeBytes { Data($0) }
  }

  static func doubles(_ data: Data) -> [Double] {
    data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
  }
}
