// MFCC front end: FloatMFCC against the live numpy reference (TensorFlow semantics), the
// fixed-point MFCCFrontend against FloatMFCC, and the pieces (FFT, log2, sqrt) against
// independent oracles.
import Foundation
import TestSupport
import Testing

@testable import Frontend
@testable import Host

/// Error figures of one comparison: max |a - b| and SNR = 10 log10(sum b^2 / sum (a - b)^2).
struct ErrorStats: CustomStringConvertible {
  var maxAbs = 0.0
  var signal = 0.0
  var noise = 0.0
  var count = 0
  mutating func add(_ value: Double, reference: Double) {
    maxAbs = max(maxAbs, abs(value - reference))
    signal += reference * reference
    noise += (value - reference) * (value - reference)
    count += 1
  }
  mutating func merge(_ other: ErrorStats) {
    maxAbs = max(maxAbs, other.maxAbs)
    signal += other.signal
    noise += other.noise
    count += other.count
  }
  var snrDB: Double { noise == 0 ? .infinity : 10 * log10(signal / noise) }
  var description: String {
    "max abs \(String(format: "%.3g", maxAbs)), SNR \(String(format: "%.1f", snrDB)) dB over \(count) values"
  }
}

private func fixedFeatures(
  _ samples: [Int16], config: MFCCConfig = MFCCConfig(), chunk: Int = 16_000
) throws -> [Int32] {
  var frontend = try MFCCFrontend(config: config)
  var out: [Int32] = []
  var start = 0
  while start < samples.count {
    let end = min(start + chunk, samples.count)
    samples[start..<end].withUnsafeBufferPointer { chunk in
      frontend.process(chunk) { out += $0 }
    }
    start = end
  }
  return out
}

private let q16 = Double(1 << MFCCFrontend.outputFractionBits)

@Suite struct FloatMFCCTests {
  @Test func melMatrixAndWindowMatchNumpyFloat32Tables() throws {
    let mfcc = FloatMFCC()
    let matrix = MFCCTestClips.doubles(
      try TestSupport.reference("mfcc_ref.py", ["--output", "melmatrix"]))
    #expect(matrix.count == mfcc.melMatrix.count)
    var worst = 0.0
    for (a, b) in zip(mfcc.melMatrix, matrix) { worst = max(worst, abs(Double(a) - b)) }
    // Both are float32 computations of the same expressions with a correctly rounded log
    // (glibc logf here, float64 log rounded to float32 there): they must be identical.
    #expect(worst == 0, "mel matrix differs from numpy by \(worst)")
    let window = MFCCTestClips.doubles(
      try TestSupport.reference("mfcc_ref.py", ["--output", "window"]))
    var worstWindow = 0.0
    for (a, b) in zip(mfcc.window, window) { worstWindow = max(worstWindow, abs(Double(a) - b)) }
    #expect(window.count == 480 && worstWindow == 0, "window differs by \(worstWindow)")
  }

  @Test func featuresMatchNumpyReference() throws {
    let mfcc = FloatMFCC()
    for clip in try MFCCTestClips.all() where clip.samples.contains(where: { $0 > 0 }) {
      let stdin = MFCCTestClips.bytes(clip.samples)
      for normalize in [false, true] {
        let reference = MFCCTestClips.doubles(
          try TestSupport.reference("mfcc_ref.py", normalize ? ["--normalize"] : [], stdin: stdin))
        let x =
          normalize ? try FloatMFCC.peakNormalized(clip.samples) : clip.samples.map { Double($0) }
        let ours = mfcc.mfcc(x)
        #expect(ours.count == 49 * 10 && reference.count == ours.count)
        var worst = 0.0
        for (a, b) in zip(ours, reference) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
        // Same float32 tables, float64 arithmetic: only FFT rounding differs.
        #expect(worst <= 1e-9, "\(clip.name) normalize=\(normalize): relative difference \(worst)")
      }
    }
  }

  @Test func peakNormalizationNeedsAPositivePeak() {
    #expect(throws: MFCCError.noPositivePeak(sampleCount: 3)) {
      try FloatMFCC.peakNormalized([0, -5, -1])
    }
  }
}

@Suite struct MFCCFixedPointPartsTests {
  @Test func roundedSquareRootIsNearest() {
    var values: [UInt64] = Array(0...70_000)
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<20_000 {
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      values.append(x >> UInt64(x % 3))  // up to 2^64 - 1
    }
    values += [UInt64.max, UInt64.max - 1, 1 << 62, (1 << 62) - 1]
    for v in values {
      let r = MFCCSquareRoot.rounded(v)
      // Nearest: (r - 1/2)^2 <= v < (r + 1/2)^2, i.e. r^2 - r < v + 1/4 and v < r^2 + r + 1/4.
      let r2 = r.multipliedFullWidth(by: r)
      let lower = r == 0 ? 0 : (r * (r - 1))  // r^2 - r (fits: r <= 2^32)
      let upper = (r2.high == 0 ? r2.low : UInt64.max).addingReportingOverflow(r)
      #expect(v >= lower && (upper.overflow || v <= upper.partialValue), "sqrt(\(v)) gave \(r)")
      if v >= lower && (upper.overflow || v <= upper.partialValue) { continue } else { break }
    }
  }

  @Test func log2IsWithin3e6() {
    let log2 = MFCCLog2()
    var worst = 0.0
    var x: UInt64 = 1
    var values: [UInt64] = Array(1...5000)
    for _ in 0..<20_000 {
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      values.append(max(1, x >> UInt64(x % 64)))
    }
    for v in values {
      let exact = Foundation.log2(Double(v))
      let got = Double(log2.log2(v)) / Double(1 << 24)
      worst = max(worst, abs(got - exact))
    }
    #expect(worst < 3e-6, "log2 max error \(worst)")
    #expect(log2.log2(8) == 3 << 24)
    #expect(log2.log2(0) == Int32.min)
  }

  @Test func blockFFTMatchesDirectDFT() {
    var fft = BlockFFT(fftLength: 512, windowSamples: 480)
    var seed: UInt64 = 42
    for trial in 0..<4 {
      // Loud, quiet and single-impulse frames: the block exponent must carry all of them.
      let amplitude: Int64 = [1 << 45, 3, 1 << 20, 1][trial]
      let frame: [Int64] = (0..<480).map { n in
        seed = seed &* 6_364_136_223_846_793_005 &+ 1
        if trial == 3 { return n == 100 ? 1 : 0 }
        return Int64(seed >> 17) % (2 * amplitude + 1) - amplitude
      }
      let shift = frame.withUnsafeBufferPointer { fft.load($0) }!
      fft.transform()
      var worst = 0.0
      var bins: [(Double, Double)] = []
      for k in 1..<256 {
        var re = 0.0
        var im = 0.0
        for n in 0..<480 {
          re += Double(frame[n]) * cos(2 * Double.pi * Double(k * n) / 512)
          im -= Double(frame[n]) * sin(2 * Double.pi * Double(k * n) / 512)
        }
        let exact = 2 * (re * re + im * im).squareRoot() * pow(2, Double(shift))
        bins.append((exact, Double(fft.doubledMagnitude(bin: k))))
      }
      for (exact, got) in bins { worst = max(worst, abs(got - exact)) }
      // In units of the block (max |u| <= 2^21, 2|X| up to 2^31): rounding the block,
      // Q30 twiddles over 8 stages, the split and the square root cost a few dozen units
      // at most, i.e. < 2^-25 of full scale.
      #expect(worst < 64, "trial \(trial): error \(worst) block units")
    }
    #expect([Int64](repeating: 0, count: 480).withUnsafeBufferPointer { fft.load($0) } == nil)
  }
}

@Suite struct MFCCFrontendTests {
  @Test func anyChunkingGivesTheSameFrames() throws {
    let clips = try MFCCTestClips.all()
    let samples = clips[0].samples + clips[4].samples
    let whole = try fixedFeatures(samples)
    #expect(whole.count == MFCCConfig().frameCount(sampleCount: samples.count) * 10)
    for chunk in [1, 7, 160, 320, 333, 480, 4096] {
      #expect(try fixedFeatures(samples, chunk: chunk) == whole, "chunk \(chunk)")
    }
    // reset() forgets the partial window.
    var frontend = try MFCCFrontend()
    var first: [Int32] = []
    samples[0..<1000].withUnsafeBufferPointer { frontend.process($0) { _ in } }
    frontend.reset()
    samples.withUnsafeBufferPointer { frontend.process($0) { first += $0 } }
    #expect(first == whole)
  }

  @Test func badConfigurationsAreNamed() {
    var c = MFCCConfig()
    c.fftLength = 500
    #expect(throws: MFCCError.badFFTLength(fftLength: 500, windowSamples: 480)) {
      try MFCCFrontend(config: c)
    }
    c = MFCCConfig()
    c.stepSamples = 0
    #expect(throws: MFCCError.badFraming(windowSamples: 480, stepSamples: 0)) {
      try MFCCFrontend(config: c)
    }
    c = MFCCConfig()
    c.upperEdgeHertz = 9000
    #expect(throws: MFCCError.badBandEdges(lowerHertz: 20, upperHertz: 9000, sampleRate: 16_000)) {
      try MFCCFrontend(config: c)
    }
    c = MFCCConfig()
    c.coefficientCount = 41
    #expect(throws: MFCCError.badBinCounts(melBinCount: 40, coefficientCount: 41)) {
      try MFCCFrontend(config: c)
    }
    c = MFCCConfig()
    c.epsilon = 0
    #expect(throws: MFCCError.badEpsilon(0)) { try MFCCFrontend(config: c) }
    c = MFCCConfig()
    c.melBinCount = 128
    c.lowerEdgeHertz = 20
    c.upperEdgeHertz = 200
    #expect(throws: MFCCError.self) { try MFCCFrontend(config: c) }
  }

  /// The accuracy contract: fixed point vs FloatMFCC (TF semantics, Double) on the same
  /// int16 samples and epsilon, over speech at several levels, noise, tones, silence.
  @Test func fixedPointTracksFloatMFCC() throws {
    let config = MFCCConfig()
    let reference = FloatMFCC(epsilon: config.epsilon)
    var total = ErrorStats()
    var broadband = ErrorStats()
    var narrowband = ErrorStats()
    var logMelTotal = ErrorStats()
    for clip in try MFCCTestClips.all() {
      let ours = try fixedFeatures(clip.samples)
      let exact = reference.mfcc(clip.samples.map { Double($0) })
      #expect(ours.count == exact.count)
      var stats = ErrorStats()
      for (a, b) in zip(ours, exact) { stats.add(Double(a) / q16, reference: b) }
      print("MFCC fixed vs float, \(clip.name): \(stats)")
      total.merge(stats)
      if clip.isNarrowband {
        narrowband.merge(stats)
      } else {
        broadband.merge(stats)
      }
      // Log-mel of the last frame, where the error enters.
      var frontend = try MFCCFrontend(config: config)
      clip.samples.withUnsafeBufferPointer { frontend.process($0) { _ in } }
      let exactLogMel = reference.logMel(clip.samples.map { Double($0) }).suffix(40)
      for (a, b) in zip(frontend.lastLogMel, exactLogMel) {
        logMelTotal.add(Double(a) / Double(1 << 24), reference: b)
      }
    }
    print("MFCC fixed vs float, all clips: \(total); log-mel (last frames): \(logMelTotal)")
    print("MFCC fixed vs float, speech/noise/silence: \(broadband); tones/sweeps: \(narrowband)")
    // Measured: broadband 3.6e-4 / 119 dB; narrowband 0.014 / 79 dB (far bands of a pure
    // tone sit ~120 dB under its peak, where the 30-bit FFT's rounding shows). One model
    // input step is 0.585, so even the worst is < 3 % of a step.
    #expect(broadband.maxAbs < 2e-3)
    #expect(broadband.snrDB > 105)
    #expect(narrowband.maxAbs < 0.04)
    #expect(narrowband.snrDB > 70)
  }
}
