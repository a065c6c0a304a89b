// Peak normalization for the MFCC front end: the MLPerf model sees each 1 s clip divided
// by its positive peak, x / max(x). Dividing the signal by p divides every mel energy by
// p, so it shifts every log-mel band by -ln p and, through the DCT, only c0 moves
// (by -sqrt(2N) ln p; the other cosine rows sum to zero). What is exact and what is not:
//
// - log(mel / p + 1e-6) = log(mel + 1e-6 p) - ln p exactly. `normalizedClipFeatures` uses
//   this: it runs the clip with epsilon = 1e-6 p and subtracts sqrt(2N) ln p from c0, so
//   it matches the float features of x / max(x) up to the fixed-point rounding.
// - `applyPeakNormalization` (streaming) corrects frames that were computed with the
//   fixed `config.epsilon` (default 1e-6 * 32768). Each band is then off by
//   ln((mel + 1e-6 p) / (mel + epsilon)): below |1e-6 p - epsilon| / mel, i.e. nothing
//   measurable for any frame with signal (mel >~ 1 in int16 units gives < 0.033), but a
//   digitally silent band (mel = 0) is off by ln(1e-6 p / epsilon), e.g. -3.5 per band for
//   p = 1000 with the default epsilon. Such an error reaches c0 and, unevenly across
//   bands, the other coefficients. Measured (MFCCPeakNormalizationTests): speech at 0 to
//   -60 dBFS (peaks 32543 to 33) with no silent frame stays within 0.032 of the exact
//   normalized features; a digitally silent frame is off by sqrt(80) ln(1e-6 p / epsilon)
//   in c0 only (-12.5 for p = 8079); a +-1 LSB clip (p = 1) is off by up to 59: at such
//   levels epsilon dominates every band and the correction does not hold.

extension MFCCFrontend {
  /// The positive peak max(x) of a clip, or nil when no sample is positive (then
  /// x / max(x) is undefined or flips the sign: TensorFlow would produce NaN or inf).
  public static func positivePeak(_ samples: UnsafeBufferPointer<Int16>) -> Int16? {
    var peak: Int16 = 0
    for s in samples where s > peak { peak = s }
    return peak > 0 ? peak : nil
  }

  /// The Q16 amount to subtract from c0 for a clip whose peak is `peak` (int16 units):
  /// sqrt(2N) ln(peak), computed through the same Q28 DCT row as the features.
  ///
  ///     frontend.c0Correction(peak: 16384)   // sqrt(80) ln 16384 = 86.7957 -> 5_688_247 (Q16)
  public func c0Correction(peak: Int16) -> Int32 {
    let lnPeak = Int64(naturalLog(UInt64(max(peak, 1))))
    var rowSum: Int64 = 0
    for i in 0..<config.melBinCount { rowSum += Int64(dctRow0(i)) }
    let s = Int64(MFCCDCTTable.fractionBits + Self.logMelFractionBits - Self.outputFractionBits)
    return Int32((rowSum * lnPeak + (1 << (s - 1))) >> s)
  }

  /// Turns frames computed by `process` (Q16, `featureCount` per frame, frame-major) into
  /// the features of the peak-normalized window, given the window's positive peak: only
  /// c0 changes. Exact when `config.epsilon == 1e-6 * peak`; see the file header for the
  /// error otherwise.
  public func applyPeakNormalization(
    to frames: UnsafeMutableBufferPointer<Int32>, peak: Int16
  ) throws(MFCCError) {
    guard peak > 0 else { throw MFCCError.noPositivePeak(sampleCount: 0) }
    let shift = c0Correction(peak: peak)
    var i = 0
    while i < frames.count {
      frames[i] -= shift
      i += featureCount
    }
  }

  /// The MLPerf features of one clip, x / max(x), as Q16 frames into `output`
  /// (frameCount x featureCount); returns the frame count (49 for 16,000 samples).
  /// Runs the clip from a clean state with epsilon = normalizedEpsilon * peak, so it is
  /// exact up to fixed-point rounding, and leaves the streaming state reset.
  public mutating func normalizedClipFeatures(
    _ samples: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int32>
  ) throws(MFCCError) -> Int {
    guard let peak = Self.positivePeak(samples) else {
      throw MFCCError.noPositivePeak(sampleCount: samples.count)
    }
    let frames = config.frameCount(sampleCount: samples.count)
    let needed = frames * featureCount
    guard output.count >= needed else {
      throw MFCCError.outputTooSmall(needed: needed, available: output.count)
    }
    let savedEpsilon = currentEpsilonMantissa
    currentEpsilonMantissa = normalizedEpsilonMantissa * UInt64(peak)
    reset()
    var written = 0
    let count = featureCount
    process(samples) { frame in
      for i in 0..<count { output[written + i] = frame[i] }
      written += count
    }
    reset()
    currentEpsilonMantissa = savedEpsilon
    try applyPeakNormalization(
      to: UnsafeMutableBufferPointer(rebasing: output[0..<needed]), peak: peak)
    return frames
  }
}
