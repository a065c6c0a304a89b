// Streaming behaviour, the micro_speech (20 ms) variant, the stage switches, reset and
// configuration errors; the variants are checked against the same live C library
// through its C API (FrontendPopulateState with our configuration).
import Foundation
import Frontend
import TestSupport
import Testing

private typealias Support = MicroFrontendTestSupport

@Suite("MicroFrontend streaming and variants")
struct MicroFrontendStreamingTests {
  static let clip: [Int16] = {
    // 1.7 s: quiet noise, a loud chirp burst, then louder noise (odd length on purpose).
    let quiet = Support.noise(count: 9000, amplitude: 300, seed: 1)
    var phase = 0.0
    let burst: [Int16] = (0..<8000).map { i in
      phase += 2 * Double.pi * (200 + Double(i) * 0.5) / 16000
      return Int16(25000 * sin(phase))
    }
    return Support.mix(quiet, [Int16](repeating: 0, count: 4000) + burst)
      + Support.noise(count: 10_123, amplitude: 9000, seed: 2)
  }()

  @Test("any chunking gives the same frames", arguments: [1, 160, 161, 479, 4000, 7])
  func chunking(_ chunk: Int) throws {
    let whole = try Support.ours(Self.clip)
    #expect(whole.count == ((Self.clip.count - 480) / 160 + 1) * 40)
    Support.expectSameFeatures(
      try Support.ours(Self.clip, chunk: chunk), whole, "chunk \(chunk) vs whole")
  }

  @Test("empty and one-sample calls are harmless; frames come exactly at 480 + 160 k samples")
  func frameAlignment() throws {
    var frontend = try MicroFrontend(config: .microWakeWord)
    var framesAt: [Int] = []
    var fed = 0
    [Int16]().withUnsafeBufferPointer { frontend.process($0) { _ in framesAt.append(-1) } }
    for sample in Self.clip.prefix(1000) {
      [sample].withUnsafeBufferPointer { one in
        frontend.process(one) { features in
          #expect(features.count == 40)
          framesAt.append(fed + 1)
        }
      }
      fed += 1
    }
    #expect(framesAt == [480, 640, 800, 960])
    #expect(
      frontend.windowSamples == 480 && frontend.stepSamples == 160 && frontend.featureCount == 40)
  }

  @Test("reset gives the same frames as a fresh front end")
  func resetRestarts() throws {
    var frontend = try MicroFrontend(config: .microWakeWord)
    var first: [UInt16] = []
    var second: [UInt16] = []
    Self.clip.withUnsafeBufferPointer { all in
      frontend.process(UnsafeBufferPointer(rebasing: all[0..<12_345])) { _ in }
      frontend.reset()
      frontend.process(all) { first.append(contentsOf: $0) }
      frontend.reset()
      frontend.process(all) { second.append(contentsOf: $0) }
    }
    let fresh = try Support.ours(Self.clip)
    Support.expectSameFeatures(first, fresh, "after reset mid-stream")
    Support.expectSameFeatures(second, fresh, "after second reset")
  }

  @Test("micro_speech preset: 20 ms step, 49 frames per second, live C reference")
  func microSpeech() throws {
    let config = MicroFrontendConfig.microSpeech
    let frontend = try MicroFrontend(config: config)
    #expect(frontend.stepSamples == 320 && frontend.windowSamples == 480)
    let oneSecond = Array(Self.clip.prefix(16000))
    let ours = try Support.ours(oneSecond, config: config)
    #expect(ours.count == 49 * 40)
    Support.expectSameFeatures(
      ours, try Support.referenceC(oneSecond, config: config), "micro_speech, 1 s")
    let speech = try Support.speech("yes no up down left right", voice: "en-us")
    Support.expectSameFeatures(
      try Support.ours(speech, config: config, chunk: 333),
      try Support.referenceC(speech, config: config),
      "micro_speech, speech")
  }

  @Test("with noise reduction and PCAN off, a 20 ms step gives every other 10 ms frame")
  func stepOnlyChangesStateless() throws {
    // Without the two stateful stages a frame depends only on its window, so this
    // isolates the stepping; it holds for our code alone, no reference involved.
    var ten = MicroFrontendConfig.microWakeWord
    ten.noiseReductionEnabled = false
    ten.pcanEnabled = false
    var twenty = ten
    twenty.stepMs = 20
    let a = try Support.ours(Self.clip, config: ten)
    let b = try Support.ours(Self.clip, config: twenty)
    var everyOther: [UInt16] = []
    for frame in stride(from: 0, to: a.count / 40, by: 2) {
      everyOther += a[(frame * 40)..<(frame * 40 + 40)]
    }
    Support.expectSameFeatures(b, everyOther, "20 ms frames vs even 10 ms frames")
  }

  static var variants: [(String, MicroFrontendConfig)] {
    var noNR = MicroFrontendConfig.microWakeWord
    noNR.noiseReductionEnabled = false
    var noPCAN = MicroFrontendConfig.microWakeWord
    noPCAN.pcanEnabled = false
    var noLog = MicroFrontendConfig.microWakeWord
    noLog.logScaleEnabled = false
    var linear = noLog
    linear.pcanEnabled = false
    var tflmDefaults = MicroFrontendConfig()
    tflmDefaults.windowMs = 25
    tflmDefaults.channelCount = 32
    tflmDefaults.pcanEnabled = false
    var wide = MicroFrontendConfig()
    wide.windowMs = 64
    wide.stepMs = 16
    wide.channelCount = 80
    wide.lowerBandHz = 20
    wide.upperBandHz = 7900
    wide.smoothingBits = 12
    wide.evenSmoothing = 0.1
    wide.oddSmoothing = 0.2
    wide.minSignalRemaining = 0.3
    wide.pcanStrength = 0.5
    wide.pcanOffset = 3.5
    wide.pcanGainBits = 24
    wide.logScaleShift = 8
    return [
      ("noise reduction off", noNR), ("PCAN off", noPCAN), ("log off", noLog),
      ("PCAN and log off", linear),
      ("TFLM defaults (25 ms, 32 ch)", tflmDefaults),
      ("64 ms window, 80 ch, other parameters", wide),
    ]
  }

  @Test("configuration variants match the live C library", arguments: variants.map(\.0))
  func variant(_ name: String) throws {
    let config = Self.variants.first { $0.0 == name }!.1
    let speech = try Support.speech("hey jarvis", voice: "en-us+f2")
    let samples =
      Self.clip + Support.mix(speech, Support.noise(count: speech.count, amplitude: 500, seed: 3))
    Support.expectSameFeatures(
      try Support.ours(samples, config: config, chunk: 1000),
      try Support.referenceC(samples, config: config),
      channels: config.channelCount, name)
  }

  @Test("bad configurations are errors that name the parameter")
  func configurationErrors() {
    func error(_ change: (inout MicroFrontendConfig) -> Void) -> MicroFrontendConfigError? {
      var config = MicroFrontendConfig.microWakeWord
      change(&config)
      do {
        _ = try MicroFrontend(config: config)
        return nil
      } catch {
        return error
      }
    }
    #expect(error { _ in } == nil)
    #expect(error { $0.stepMs = 40 }?.parameter == .stepMs)
    #expect(error { $0.stepMs = 0 }?.parameter == .stepMs)
    #expect(error { $0.windowMs = 1 }?.parameter == .windowMs)
    #expect(error { $0.channelCount = 0 }?.parameter == .channelCount)
    #expect(error { $0.upperBandHz = 9000 }?.parameter == .upperBandHz)
    #expect(error { $0.lowerBandHz = 8000 }?.parameter == .upperBandHz)
    #expect(error { $0.lowerBandHz = -.infinity }?.parameter == .lowerBandHz)
    #expect(error { $0.evenSmoothing = 1.5 }?.parameter == .evenSmoothing)
    #expect(error { $0.minSignalRemaining = .nan }?.parameter == .minSignalRemaining)
    #expect(error { $0.pcanOffset = 0 }?.parameter == .pcanOffset)
    #expect(error { $0.pcanGainBits = 10 }?.parameter == .pcanGainBits)
    #expect(error { $0.smoothingBits = 1 }?.parameter == .smoothingBits)
    // 8 kHz upper band: the C rejects it too (the last channel runs off the spectrum).
    let edge = error { $0.upperBandHz = 8000 }
    #expect(edge?.parameter == .upperBandHz)
    #expect(
      edge?.description.contains("beyond the spectrum") == true, "\(String(describing: edge))")
  }
}
