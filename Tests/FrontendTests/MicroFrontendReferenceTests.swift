// Bit-exactness of MicroFrontend against the live C microfrontend (pymicro-features in
// the reference venv): every uint16 of every frame, on speech, noise and edge cases.
import Foundation
import Frontend
import TestSupport
import Testing

private typealias Support = MicroFrontendTestSupport

@Suite("MicroFrontend vs live pymicro-features")
struct MicroFrontendReferenceTests {
  /// Edge cases made in Swift, 1.5 s each at 16 kHz.
  static let count = 24_000

  static func signal(_ name: String) -> [Int16] {
    let n = count
    switch name {
    case "silence":
      return [Int16](repeating: 0, count: n)
    case "full-scale square":
      // 250 Hz, +32767 / -32768: the window output hits -32768 exactly.
      return (0..<n).map { ($0 / 32) % 2 == 0 ? Int16.max : Int16.min }
    case "negative full scale DC":
      return [Int16](repeating: Int16.min, count: n)
    case "-32768 impulses under the window peak":
      // One impulse lands where the Q12 window is exactly 4096 (index 240), so the
      // windowed value is -32768, whose int16 |x| wraps and is ignored by the C's
      // maximum; the others (index 80, 400) set the FFT's scaling shift to 1, which
      // then wraps -32768 to 0.
      return (0..<n).map { $0 % 160 == 80 ? Int16.min : 0 }
    case "clipped sine":
      // A 440 Hz sine at 4x full scale, clipped to int16.
      return (0..<n).map {
        Int16(clamping: Int(4 * 32767 * sin(2 * Double.pi * 440 * Double($0) / 16000)))
      }
    case "DC offset with tone":
      return (0..<n).map {
        Int16(clamping: 12000 + Int(3000 * sin(2 * Double.pi * 1000 * Double($0) / 16000)))
      }
    case "very quiet":
      return Support.noise(count: n, amplitude: 2)
    case "single LSB impulses":
      return (0..<n).map { $0 % 997 == 0 ? 1 : 0 }
    case "white noise":
      return Support.noise(count: n, amplitude: 20000)
    case "full-scale white noise":
      return Support.noise(count: n, amplitude: 32768)
    case "silence then loud then silence":
      let loud = Support.noise(count: n / 3, amplitude: 30000, seed: 7)
      return [Int16](repeating: 0, count: n / 3) + loud
        + [Int16](repeating: 0, count: n - 2 * (n / 3))
    case "chirp 50 Hz to 8 kHz":
      var phase = 0.0
      return (0..<n).map { i in
        phase += 2 * Double.pi * (50 + 7950 * Double(i) / Double(n)) / 16000
        return Int16(20000 * sin(phase))
      }
    default:
      fatalError("unknown signal \(name)")
    }
  }

  @Test(
    "edge cases",
    arguments: [
      "silence", "full-scale square", "negative full scale DC",
      "-32768 impulses under the window peak",
      "clipped sine", "DC offset with tone", "very quiet",
      "single LSB impulses", "white noise", "full-scale white noise",
      "silence then loud then silence",
      "chirp 50 Hz to 8 kHz",
    ])
  func edgeCase(_ name: String) throws {
    let samples = Self.signal(name)
    let theirs = try Support.reference(samples)
    #expect(theirs.count == ((samples.count / 160) - 2) * 40, "reference frame count")
    Support.expectSameFeatures(try Support.ours(samples), theirs, name)
  }

  @Test(
    "espeak-ng speech",
    arguments: [
      ("okay nabu", "en-us", 160), ("hey jarvis, turn on the lights", "en", 140),
      ("alexa, what time is it", "en-us+f3", 180),
      ("stop. go. left. right. yes. no.", "en-gb", 120),
    ])
  func speech(_ text: String, _ voice: String, _ speed: Int) throws {
    let samples = try Support.speech(text, voice: voice, speed: speed)
    #expect(samples.count > 8000, "espeak-ng made \(samples.count) samples")
    Support.expectSameFeatures(
      try Support.ours(samples), try Support.reference(samples), "\(voice): \(text)")
  }

  @Test("sox noise and speech-in-noise mixes")
  func soxNoiseAndMixes() throws {
    let white = try Support.synth(seconds: 2, ["whitenoise"], effects: ["vol", "0.5"])
    let pink = try Support.synth(seconds: 2, ["pinknoise"], effects: ["vol", "0.3"])
    let brown = try Support.synth(seconds: 2, ["brownnoise"], effects: ["vol", "0.8"])
    let speech = try Support.speech("okay nabu, play some music", voice: "en-us+m3")
    let loudSpeech = try Support.speech("hey mycroft", effects: ["gain", "12"])  // clips
    let cases: [(String, [Int16])] = [
      ("sox white noise", white), ("sox pink noise", pink), ("sox brown noise", brown),
      ("speech + pink noise", Support.mix(speech, pink)),
      ("speech + white noise", Support.mix(speech, white)),
      ("clipping speech (+12 dB)", loudSpeech),
      ("clipping speech + brown noise", Support.mix(loudSpeech, brown)),
    ]
    for (label, samples) in cases {
      Support.expectSameFeatures(try Support.ours(samples), try Support.reference(samples), label)
    }
  }

  @Test("the C API path of the reference script equals the package's public API")
  func referencePathsAgree() throws {
    // So the configurable (ctypes) reference used for micro_speech and the stage
    // switches is the very code microWakeWord runs.
    let samples = try Support.speech("okay nabu")
    let viaPackage = try Support.reference(samples)
    let viaCAPI = try Support.referenceC(samples, config: .microWakeWord, chunk: 160)
    let viaCAPIOddChunks = try Support.referenceC(samples, config: .microWakeWord, chunk: 333)
    #expect(viaPackage.count > 40 * 50)
    #expect(viaCAPI == viaPackage)
    // The package drops a final partial chunk; the C API keeps going, so compare the
    // frames both have.
    #expect(Array(viaCAPIOddChunks.prefix(viaPackage.count)) == viaPackage)
  }
}
