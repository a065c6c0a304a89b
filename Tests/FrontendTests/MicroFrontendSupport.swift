// Helpers for the microfrontend tests: run ours, run the live C reference, make
// clips, and compare frame by frame with a readable list of mismatches.
import Foundation
import Frontend
import TestSupport
import Testing

struct SupportError: Error, CustomStringConvertible {
  let description: String
}

enum MicroFrontendTestSupport {
  /// Our features for `samples`, fed `chunk` samples at a time (0 = all at once).
  static func ours(_ samples: [Int16], config: MicroFrontendConfig = .microWakeWord, chunk: Int = 0)
    throws -> [UInt16]
  {
    var frontend = try MicroFrontend(config: config)
    var out: [UInt16] = []
    samples.withUnsafeBufferPointer { all in
      let step = chunk > 0 ? chunk : max(all.count, 1)
      var start = 0
      while start < all.count {
        let end = min(all.count, start + step)
        frontend.process(UnsafeBufferPointer(rebasing: all[start..<end])) {
          out.append(contentsOf: $0)
        }
        start = end
      }
    }
    return out
  }

  /// The reference through pymicro-features' public API (microWakeWord settings only).
  static func reference(_ samples: [Int16]) throws -> [UInt16] {
    try uint16s(TestSupport.reference("microfrontend_ref.py", ["features"], stdin: bytes(samples)))
  }

  /// The same C library through its C API, with any configuration.
  static func referenceC(_ samples: [Int16], config: MicroFrontendConfig, chunk: Int = 0) throws
    -> [UInt16]
  {
    let arguments = ["ctypes"] + referenceArguments(config) + ["--chunk", String(chunk)]
    return try uint16s(
      TestSupport.reference("microfrontend_ref.py", arguments, stdin: bytes(samples)))
  }

  /// The tables the C builds for `config`, as JSON.
  static func referenceTables(_ config: MicroFrontendConfig) throws -> [String: Any] {
    let data = try TestSupport.reference(
      "microfrontend_ref.py", ["tables"] + referenceArguments(config))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw SupportError(description: "microfrontend_ref.py tables: output is not a JSON object")
    }
    return object
  }

  static func referenceArguments(_ c: MicroFrontendConfig) -> [String] {
    precondition(c.sampleRate == 16000, "the reference script runs at 16 kHz")
    // Python parses these decimal strings to the same doubles, ctypes rounds to float:
    // Float's description is the shortest string that round-trips, so it lands on c's value.
    return [
      "--window-ms", "\(c.windowMs)", "--step-ms", "\(c.stepMs)", "--channels", "\(c.channelCount)",
      "--lower-hz", "\(c.lowerBandHz)", "--upper-hz", "\(c.upperBandHz)",
      "--smoothing-bits", "\(c.smoothingBits)", "--even-smoothing", "\(c.evenSmoothing)",
      "--odd-smoothing", "\(c.oddSmoothing)",
      "--min-signal-remaining", "\(c.noiseReductionEnabled ? c.minSignalRemaining : 1)",
      "--pcan", c.pcanEnabled ? "1" : "0", "--strength", "\(c.pcanStrength)", "--offset",
      "\(c.pcanOffset)",
      "--gain-bits", "\(c.pcanGainBits)", "--log", c.logScaleEnabled ? "1" : "0",
      "--scale-shift", "\(c.logScaleShift)",
    ]
  }

  static func bytes(_ samples: [Int16]) -> Data {
    samples.withUnsafeBytes { Data($0) }  // little-endian host
  }

  static func uint16s(_ data: Data) -> [UInt16] {
    data.withUnsafeBytes { raw in Array(raw.bindMemory(to: UInt16.self)) }
  }

  static func int16s(_ data: Data) -> [Int16] {
    data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Int16.self)) }
  }

  /// Records an issue listing the first mismatches as (frame, channel, ours, theirs);
  /// returns whether everything matched.
  @discardableResult
  static func expectSameFeatures(
    _ ours: [UInt16], _ theirs: [UInt16], channels: Int = 40, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) -> Bool {
    var report: [String] = []
    var mismatches = 0
    for i in 0..<min(ours.count, theirs.count) where ours[i] != theirs[i] {
      mismatches += 1
      if report.count < 12 {
        report.append(
          "frame \(i / channels) channel \(i % channels): ours \(ours[i]) theirs \(theirs[i])")
      }
    }
    let sameCount = ours.count == theirs.count
    if !sameCount || mismatches > 0 {
      Issue.record(
        """
        \(label): \(ours.count / channels) frames ours vs \(theirs.count / channels) theirs, \
        \(mismatches) values differ
        \(report.joined(separator: "\n"))
        """, sourceLocation: sourceLocation)
      return false
    }
    return true
  }

  // MARK: Clips

  /// Reads a raw s16le file.
  static func readRaw(_ path: String) throws -> [Int16] {
    try int16s(Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// espeak-ng speech, converted by sox to 16 kHz mono s16 (optionally with sox effects).
  static func speech(
    _ text: String, voice: String = "en-us", speed: Int = 160, effects: [String] = []
  ) throws -> [Int16] {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let wav = dir.appendingPathComponent("speech.wav").path
    let raw = dir.appendingPathComponent("speech.raw").path
    _ = try TestSupport.run(
      "/usr/bin/espeak-ng", ["-v", voice, "-s", String(speed), "-w", wav, text])
    _ = try TestSupport.run(
      "/usr/bin/sox",
      [wav, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw]
        + effects)
    return try readRaw(raw)
  }

  /// A sox `synth` signal (e.g. ["whitenoise"], ["pinknoise"], ["sine", "300-3000"]).
  static func synth(seconds: Double, _ generator: [String], effects: [String] = []) throws
    -> [Int16]
  {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let raw = dir.appendingPathComponent("synth.raw").path
    _ = try TestSupport.run(
      "/usr/bin/sox",
      [
        "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw,
        "synth", String(seconds),
      ]
        + generator + effects)
    return try readRaw(raw)
  }

  /// Sample-wise sum, saturated to int16 (shorter input zero-padded).
  static func mix(_ a: [Int16], _ b: [Int16]) -> [Int16] {
    (0..<max(a.count, b.count)).map { i in
      let sum = Int32(i < a.count ? a[i] : 0) + Int32(i < b.count ? b[i] : 0)
      return Int16(clamping: sum)
    }
  }

  /// Deterministic uniform noise in -amplitude...amplitude (64-bit LCG, top bits).
  static func noise(count: Int, amplitude: Int32, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [Int16] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let unit = Int64(state >> 33) % Int64(2 * amplitude + 1)
      return Int16(clamping: unit - Int64(amplitude))
    }
  }
}
