import Testing

@testable import Spotter

/// An independent oracle: the rules written the plain way, with float means as
/// pymicro-wakeword computes them (dequantize, mean, strictly above the cutoff).
private struct FloatOracle {
  let settings: DetectionSettings
  let scale: Double
  let zeroPoint: Int32
  let refractoryInvocations: Int
  var window: [Double] = []
  var aboveInARow = 0
  var refractoryLeft = 0

  mutating func push(_ code: Int32) -> Bool {
    window.append(Double(code - zeroPoint) * scale)
    if window.count > settings.smoothingWindow { window.removeFirst() }
    if refractoryLeft > 0 { refractoryLeft -= 1 }
    guard window.count == settings.smoothingWindow else {
      aboveInARow = 0
      return false
    }
    let mean = window.reduce(0, +) / Double(window.count)
    guard mean > settings.threshold else {
      aboveInARow = 0
      return false
    }
    aboveInARow += 1
    guard aboveInARow >= settings.minimumCount, refractoryLeft == 0 else { return false }
    window.removeAll()
    aboveInARow = 0
    refractoryLeft = refractoryInvocations
    return true
  }
}

private func fire(_ d: inout KeywordDetector, _ code: Int32) -> Bool { d.push(code) }

@Suite struct KeywordDetectorTests {
  @Test func thresholdIsStrictAtTheDoubleBoundary() {
    // 1088 / 1280 rounds to exactly the double 0.85: not above the cutoff.
    let settings = DetectionSettings(threshold: 0.85, smoothingWindow: 5, refractoryMs: 0)
    let d = KeywordDetector(settings: settings, scoreScale: 1.0 / 256, scoreZeroPoint: 0, invocationMs: 30)
    #expect(d.firingSum == 1089)
  }

  @Test func needsAFullWindowBeforeFiring() {
    var d = KeywordDetector(
      settings: DetectionSettings(threshold: 0.5, smoothingWindow: 3, refractoryMs: 0),
      scoreScale: 1.0 / 256, scoreZeroPoint: 0, invocationMs: 30)
    #expect(!fire(&d, 255))
    #expect(!fire(&d, 255))
    #expect(fire(&d, 255))
    // The window was cleared: three fresh scores are needed again.
    #expect(!fire(&d, 255))
    #expect(!fire(&d, 255))
    #expect(fire(&d, 255))
  }

  @Test func refractoryPeriodSuppressesRepeats() {
    // 1000 ms at 30 ms per invocation = 34 invocations (rounded up).
    var d = KeywordDetector(
      settings: DetectionSettings(threshold: 0.5, smoothingWindow: 1, refractoryMs: 1000),
      scoreScale: 1.0 / 256, scoreZeroPoint: 0, invocationMs: 30)
    #expect(d.refractoryInvocations == 34)
    #expect(fire(&d, 200))
    var fired = 0
    for _ in 0..<33 where d.push(200) { fired += 1 }
    #expect(fired == 0)
    #expect(fire(&d, 200))
  }

  @Test func int8ScoresWithNegativeZeroPoint() {
    // A softmax output: scale 1/256, zero point -128; code 127 is 255/256.
    var d = KeywordDetector(
      settings: DetectionSettings(threshold: 0.9, smoothingWindow: 2, refractoryMs: 0),
      scoreScale: 1.0 / 256, scoreZeroPoint: -128, scoreRange: -128...127, invocationMs: 100)
    #expect(!fire(&d, 127))
    #expect(fire(&d, 127))
    #expect(!fire(&d, -128))
    #expect(!fire(&d, 100))  // (228 + 0) / 512 is not above 0.9
  }

  @Test func neverFiresWhenThresholdIsOutOfReach() {
    var d = KeywordDetector(
      settings: DetectionSettings(threshold: 1.0, smoothingWindow: 1, refractoryMs: 0),
      scoreScale: 1.0 / 256, scoreZeroPoint: 0, invocationMs: 10)
    for _ in 0..<10 { #expect(!fire(&d, 255)) }
  }

  @Test(arguments: [
    DetectionSettings(threshold: 0.85, smoothingWindow: 5, refractoryMs: 1000),
    DetectionSettings(threshold: 0.97, smoothingWindow: 5, refractoryMs: 1000),
    DetectionSettings(threshold: 0.5, smoothingWindow: 1, refractoryMs: 300, minimumCount: 3),
    DetectionSettings(threshold: 0.66, smoothingWindow: 10, refractoryMs: 90, minimumCount: 2),
  ])
  func agreesWithTheFloatOracle(settings: DetectionSettings) {
    var d = KeywordDetector(settings: settings, scoreScale: 1.0 / 256, scoreZeroPoint: 0, invocationMs: 30)
    var oracle = FloatOracle(
      settings: settings, scale: 1.0 / 256, zeroPoint: 0, refractoryInvocations: d.refractoryInvocations)
    // A deterministic score stream with bursts around the threshold.
    var rng = SplitMix64(seed: 42)
    var fires = 0
    for i in 0..<20_000 {
      // Every third block of 200 is a burst at a level that sweeps 150...255.
      let burst = (i / 200) % 3 == 1
      let level = 150 + ((i / 200) * 37) % 100
      let code = Int32(burst ? min(255, level + Int(rng.next() % 30)) : Int(rng.next() % 256))
      let ours = d.push(code)
      let theirs = oracle.push(code)
      #expect(ours == theirs, "invocation \(i), code \(code)")
      if ours != theirs { return }
      if ours { fires += 1 }
    }
    #expect(fires > 0)
  }
}

struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
