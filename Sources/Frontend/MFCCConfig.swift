// MFCCConfig: the parameters of the MLPerf Tiny DS-CNN MFCC front end (REFERENCE §1b),
// in samples, Hz and counts, and the errors a bad configuration or clip raises.

/// Parameters of `MFCCFrontend`. The defaults are the MLPerf Tiny keyword-spotting ones:
/// 16 kHz, 30 ms windows every 20 ms, 512-point FFT, 40 mel bins over 20-4000 Hz,
/// 10 coefficients -> 49 frames x 10 per 1 s clip.
///
///     var config = MFCCConfig()     // MLPerf Tiny
///     config.epsilon = 1e-6 * 20_000  // exact peak correction for clips peaking at 20,000
///     let frontend = try MFCCFrontend(config: config)
public struct MFCCConfig: Sendable, Equatable {
  /// Samples per second.
  public var sampleRate: Int = 16_000
  /// Samples per analysis window (480 = 30 ms at 16 kHz).
  public var windowSamples: Int = 480
  /// Samples between window starts (320 = 20 ms at 16 kHz).
  public var stepSamples: Int = 320
  /// Real FFT length, a power of two >= windowSamples; the window is zero-padded to it.
  public var fftLength: Int = 512
  /// Mel bands of TensorFlow's `linear_to_mel_weight_matrix`.
  public var melBinCount: Int = 40
  /// Lower edge of the lowest mel band, Hz.
  public var lowerEdgeHertz: Double = 20
  /// Upper edge of the highest mel band, Hz.
  public var upperEdgeHertz: Double = 4000
  /// MFCC coefficients kept (the first `coefficientCount` of the DCT-II of `melBinCount`).
  public var coefficientCount: Int = 10
  /// The offset in `log(mel + epsilon)`, in int16 sample units, used by streaming
  /// `process`. The MLPerf features divide the clip by its peak `p` first and use 1e-6,
  /// which equals `1e-6 * p` here; the default assumes a full-scale peak (p = 32768).
  /// See `MFCCFrontend.applyPeakNormalization` for what this costs on other peaks.
  public var epsilon: Double = 1e-6 * 32_768
  /// The epsilon of the peak-normalized features (MLPerf: 1e-6), used by
  /// `MFCCFrontend.normalizedClipFeatures`, in units of the normalized signal.
  public var normalizedEpsilon: Double = 1e-6

  public init() {}

  /// Frames a clip of `sampleCount` samples yields (no end padding): 49 for 16,000.
  public func frameCount(sampleCount: Int) -> Int {
    sampleCount < windowSamples ? 0 : 1 + (sampleCount - windowSamples) / stepSamples
  }
}

/// What was wrong with an MFCC configuration or input.
public enum MFCCError: Error, Equatable {
  /// `fftLength` must be a power of two in 4...4096 and at least `windowSamples`.
  case badFFTLength(fftLength: Int, windowSamples: Int)
  /// `windowSamples` must be in 2...4096 and `stepSamples` in 1...windowSamples.
  case badFraming(windowSamples: Int, stepSamples: Int)
  /// Band edges must satisfy 0 <= lower < upper <= sampleRate / 2.
  case badBandEdges(lowerHertz: Double, upperHertz: Double, sampleRate: Int)
  /// `melBinCount` must be in 1...128 and `coefficientCount` in 1...melBinCount.
  case badBinCounts(melBinCount: Int, coefficientCount: Int)
  /// Some mel band has no FFT bin with a non-zero weight (too many bands, too narrow a range).
  case emptyMelBand(band: Int)
  /// `epsilon` (and `normalizedEpsilon`) must be positive and finite, and small enough
  /// (< 4096 sample units) to be held in fixed point.
  case badEpsilon(Double)
  /// Peak normalization divides by the clip's maximum sample; it must be positive.
  case noPositivePeak(sampleCount: Int)
  /// An output buffer is too small: `needed` values, `available` given.
  case outputTooSmall(needed: Int, available: Int)
}
