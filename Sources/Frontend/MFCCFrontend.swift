// MFCCFrontend: streaming MFCC features in fixed point (MLPerf Tiny DS-CNN front end,
// REFERENCE §1b), 16 kHz int16 samples -> 10 coefficients every 20 ms.
//
// Per frame, integer-only and allocation-free:
//   int16 x[n] * Q30 periodic Hann                          -> Int64, x units * 2^30
//   block-scaled 512-point real FFT (BlockFFT), 2|X[k]|     -> UInt64, exponent per frame
//   sum_k 2|X[k]| * Q15 mel weight                          -> UInt64 M, mel = M * 2^-(46 + shift)
//   + epsilon (mantissa, exponent), aligned to the coarser  -> log2 (table, Q24) -> ln (Q24)
//   Q28 DCT-II (sqrt(2/N) scaling), first 10, rounded        -> Int32 Q16
// The output is the MFCC of the signal in int16 sample units (no 1/32768), with
// `config.epsilon` inside the log; see `applyPeakNormalization` for the MLPerf input
// (the clip divided by its peak).

/// Streaming fixed-point MFCC.
///
///     var frontend = try MFCCFrontend(config: MFCCConfig())
///     samples.withUnsafeBufferPointer { chunk in
///       frontend.process(chunk) { mfcc in
///         // mfcc: 10 x Int32, Q16 (value / 65536 = the float MFCC)
///       }
///     }
///
/// Any chunking of the same samples gives the same frames (the window buffer carries over).
public struct MFCCFrontend {
  /// Q-format of the output coefficients: Int32 with 16 fraction bits (real = code / 2^16).
  /// Range +-32768, far beyond any MFCC of int16 audio (|c0| < 300).
  public static let outputFractionBits = 16
  /// Q-format of the log-mel values: natural log in Int32 Q24.
  public static var logMelFractionBits: Int { MFCCLog2.outputFractionBits }
  /// Q-format of the periodic Hann window: 1.0 = 2^30 in Int32. Wider than the int16
  /// input on purpose: a Q15 window adds an error of up to 2^-16 of every sample, as large
  /// as the input's own quantization, and lifts the spectral floor of loud narrow-band
  /// frames (a full-scale tone's far bands moved by up to 1.1 in log-mel with Q15).
  static let windowFractionBits = 30
  /// ln 2 in Q31, to turn log2 into ln per band.
  /// (A literal: a stored static computed at run time would be a lazily initialized global
  /// with a once-check on every use.)
  private static var ln2Q31: Int64 { 1_488_522_236 }
  /// Exponent used for epsilons: epsilon = mantissa * 2^-epsilonExponent, with the mantissa
  /// kept below 2^62 (epsilon < 2^12 in sample units) so sums stay below 2^64.
  private static let epsilonExponent = 50

  public let config: MFCCConfig
  public var featureCount: Int { config.coefficientCount }
  public var stepSamples: Int { config.stepSamples }
  public var windowSamples: Int { config.windowSamples }

  private let window: [Int32]
  private let bands: MFCCMelBands
  private let dct: [Int32]
  private let log2Table: MFCCLog2
  private var fft: BlockFFT
  /// The epsilon in use, as a mantissa at `epsilonExponent` (config.epsilon, or
  /// normalizedEpsilon * peak inside `normalizedClipFeatures`).
  var currentEpsilonMantissa: UInt64
  /// normalizedEpsilon (normalized units) per int16 unit of peak, same exponent.
  let normalizedEpsilonMantissa: UInt64
  /// Samples waiting for the next frame (int16), `buffered` of them valid.
  private var pending: [Int16]
  private var buffered = 0
  private var windowed: [Int64]
  private var magnitudes: [UInt64]
  private var logMel: [Int32]
  private var output: [Int32]

  public init(config: MFCCConfig = MFCCConfig()) throws(MFCCError) {
    guard config.windowSamples >= 2, config.windowSamples <= 4096, config.stepSamples >= 1,
      config.stepSamples <= config.windowSamples
    else {
      throw MFCCError.badFraming(
        windowSamples: config.windowSamples, stepSamples: config.stepSamples)
    }
    guard config.fftLength >= 4, config.fftLength <= 4096,
      config.fftLength & (config.fftLength - 1) == 0,
      config.fftLength >= config.windowSamples
    else {
      throw MFCCError.badFFTLength(fftLength: config.fftLength, windowSamples: config.windowSamples)
    }
    guard config.sampleRate > 0, config.lowerEdgeHertz >= 0,
      config.lowerEdgeHertz < config.upperEdgeHertz,
      config.upperEdgeHertz <= Double(config.sampleRate) / 2
    else {
      throw MFCCError.badBandEdges(
        lowerHertz: config.lowerEdgeHertz, upperHertz: config.upperEdgeHertz,
        sampleRate: config.sampleRate)
    }
    guard config.melBinCount >= 1, config.melBinCount <= 128, config.coefficientCount >= 1,
      config.coefficientCount <= config.melBinCount
    else {
      throw MFCCError.badBinCounts(
        melBinCount: config.melBinCount, coefficientCount: config.coefficientCount)
    }
    self.config = config
    currentEpsilonMantissa = try Self.epsilonMantissa(config.epsilon)
    // normalizedEpsilon * peak must stay a valid epsilon for every peak up to 32767.
    _ = try Self.epsilonMantissa(config.normalizedEpsilon * 32_767)
    normalizedEpsilonMantissa = try Self.epsilonMantissa(config.normalizedEpsilon)

    var w = [Int32](repeating: 0, count: config.windowSamples)
    let one = Double(1 << Self.windowFractionBits)
    for n in 0..<config.windowSamples {
      // Periodic Hann: 0.5 - 0.5 cos(2 pi n / N).
      w[n] = Int32(
        MFCCMath.roundToInt(one * (0.5 - 0.5 * MFCCMath.cosTurns(n, config.windowSamples))))
    }
    window = w
    bands = try MFCCMelBands(config: config)
    guard bands.highestBin < config.fftLength / 2 else {
      throw MFCCError.badBandEdges(
        lowerHertz: config.lowerEdgeHertz, upperHertz: config.upperEdgeHertz,
        sampleRate: config.sampleRate)
    }
    dct = MFCCDCTTable.build(
      melBinCount: config.melBinCount, coefficientCount: config.coefficientCount)
    log2Table = MFCCLog2()
    fft = BlockFFT(fftLength: config.fftLength, windowSamples: config.windowSamples)
    pending = [Int16](repeating: 0, count: config.windowSamples)
    windowed = [Int64](repeating: 0, count: config.windowSamples)
    magnitudes = [UInt64](repeating: 0, count: config.fftLength / 2)
    logMel = [Int32](repeating: 0, count: config.melBinCount)
    output = [Int32](repeating: 0, count: config.coefficientCount)
  }

  /// epsilon (sample units) as a mantissa at `epsilonExponent`.
  private static func epsilonMantissa(_ epsilon: Double) throws(MFCCError) -> UInt64 {
    guard epsilon > 0, epsilon < Double(1 << 12) else { throw MFCCError.badEpsilon(epsilon) }
    let m = MFCCMath.roundToInt(epsilon * Double(UInt64(1) << UInt64(epsilonExponent)))
    guard m > 0 else { throw MFCCError.badEpsilon(epsilon) }
    return UInt64(m)
  }

  /// Forgets buffered samples; the next frame starts with the next sample given.
  public mutating func reset() {
    buffered = 0
  }

  /// Feeds samples; calls `onFrame` with `featureCount` Q16 coefficients for every
  /// complete window (every `stepSamples` samples once the first `windowSamples` are in).
  /// The buffer is only valid during the call.
  public mutating func process(
    _ samples: UnsafeBufferPointer<Int16>, onFrame: (UnsafeBufferPointer<Int32>) -> Void
  ) {
    var index = 0
    let windowLength = config.windowSamples
    let step = config.stepSamples
    while index < samples.count {
      let take = min(windowLength - buffered, samples.count - index)
      pending.withUnsafeMutableBufferPointer { p in
        for i in 0..<take { p[buffered + i] = samples[index + i] }
      }
      buffered += take
      index += take
      guard buffered == windowLength else { break }
      computeFrame()
      output.withUnsafeBufferPointer { onFrame($0) }
      // Keep the overlap (windowSamples - stepSamples samples) for the next frame.
      pending.withUnsafeMutableBufferPointer { p in
        for i in 0..<(windowLength - step) { p[i] = p[i + step] }
      }
      buffered = windowLength - step
    }
  }

  /// Natural-log mel energies of the last frame, Q24 (for debugging and tests).
  public var lastLogMel: [Int32] { logMel }

  /// One frame from `pending` into `logMel` and `output`.
  private mutating func computeFrame() {
    pending.withUnsafeBufferPointer { p in
      window.withUnsafeBufferPointer { w in
        windowed.withUnsafeMutableBufferPointer { out in
          for n in 0..<p.count { out[n] = Int64(p[n]) &* Int64(w[n]) }  // |x w| <= 2^45
        }
      }
    }
    let shift = windowed.withUnsafeBufferPointer { fft.load($0) }
    // Mel exponent: mel (sample units) = M * 2^-melExponent. Q30 window, the FFT block
    // shift, the doubled magnitude and the Q15 weights.
    let melExponent = Self.windowFractionBits + (shift ?? 0) + 1 + MFCCMelBands.weightFractionBits
    if shift != nil {
      fft.transform()
      let (low, high) = (bands.lowestBin, bands.highestBin)
      magnitudes.withUnsafeMutableBufferPointer { mags in
        for k in low...high { mags[k] = fft.doubledMagnitude(bin: k) }
      }
    }
    // Sums below 2^57 and 40 products below 2^62 (see the bounds at the tables), so the
    // accumulations wrap instead of trapping (a library call per operation on the M4).
    for j in 0..<config.melBinCount {
      var m: UInt64 = 0
      if shift != nil {
        let first = bands.firstBin[j]
        let start = bands.weightStart[j]
        let count = bands.binCount[j]
        magnitudes.withUnsafeBufferPointer { mags in
          bands.weights.withUnsafeBufferPointer { weights in
            for i in 0..<count { m &+= mags[first + i] &* UInt64(weights[start + i]) }
          }
        }
      }
      logMel[j] = logOfSum(m, exponent: melExponent, epsilonMantissa: currentEpsilonMantissa)
    }
    let n = config.melBinCount
    let outputShift = MFCCDCTTable.fractionBits + Self.logMelFractionBits - Self.outputFractionBits
    for k in 0..<config.coefficientCount {
      var acc: Int64 = 0
      dct.withUnsafeBufferPointer { table in
        logMel.withUnsafeBufferPointer { values in
          for i in 0..<n { acc &+= Int64(table[k * n + i]) &* Int64(values[i]) }
        }
      }
      output[k] = Self.roundingShift(acc, by: outputShift)
    }
  }

  /// ln(x) in Q24 for an integer x >= 1.
  func naturalLog(_ x: UInt64) -> Int32 {
    Int32((Int64(log2Table.log2(x)) * Self.ln2Q31 + (1 << 30)) >> 31)
  }

  /// Row 0 of the DCT table (every entry sqrt(2/N), Q28).
  func dctRow0(_ band: Int) -> Int32 { dct[band] }

  /// ln(m * 2^-exponent + epsilon) in Q24, epsilon = epsilonMantissa * 2^-epsilonExponent.
  /// The two terms are aligned to the coarser unit (the smaller exponent) so nothing is
  /// shifted left; the finer one loses only bits far below the sum's precision.
  private func logOfSum(_ m: UInt64, exponent: Int, epsilonMantissa: UInt64) -> Int32 {
    let common = min(exponent, Self.epsilonExponent)
    let sum =
      Self.roundingShift(m, by: exponent - common)
      &+ Self.roundingShift(epsilonMantissa, by: Self.epsilonExponent - common)
    let log2 = Int64(log2Table.log2(sum)) &- (Int64(common) &<< Int64(MFCCLog2.outputFractionBits))
    return Int32(truncatingIfNeeded: (log2 &* Self.ln2Q31 &+ (1 &<< 30)) &>> 31)
  }

  @inline(__always)
  private static func roundingShift(_ x: UInt64, by s: Int) -> UInt64 {
    if s <= 0 { return x }
    if s >= 64 { return 0 }
    return (x &>> UInt64(s)) &+ ((x &>> UInt64(s - 1)) & 1)
  }

  @inline(__always)
  private static func roundingShift(_ x: Int64, by s: Int) -> Int32 {
    Int32(truncatingIfNeeded: (x &+ (Int64(1) &<< Int64(s - 1))) &>> Int64(s))
  }
}
