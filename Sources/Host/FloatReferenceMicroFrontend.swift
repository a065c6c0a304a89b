// FloatMicroFrontend: the TFLM microfrontend chain (REFERENCE §1a) in float, on FFTW: the
// ideal that the fixed-point microfrontend approximates. Host only.
//
// Stage by stage, what the fixed-point code computes and the float value it stands for
// (TFLM microfrontend sources: window_util.c, fft.cc, filterbank*.c, noise_reduction.c,
// pcan_gain_control*.c, log_scale.c):
// - Window: Hann 0.5 - 0.5 cos(2 pi (i + 1/2) / N) (Q12 there), applied to int16 samples.
// - FFT: the windowed frame is scaled up by `15 - msb(max)` bits, kiss_fftr (int16, 1/N
//   per transform) computes DFT / 512, and the filterbank's square root is shifted back
//   down: the scaling cancels, leaving |DFT| / 8 (8 = 512 / 2^6, the Q12 weights' sqrt).
// - Filterbank: each channel c is sqrt(sum of (1 - w_k) |X_k|^2 over the bins of segment c
//   plus w_k |X_k|^2 over segment c + 1), with w_k = (center[s] - mel(k)) / (center[s] -
//   center[s - 1]) from centers evenly spaced in mel (1127 ln(1 + f/700), float32) over
//   [lower, upper] in num_channels + 1 steps; bins from 1.5 + lower / (Hz per bin) on.
// - Noise reduction: estimate <- s * a + estimate * (1 - a), a = 0.025 for even channels,
//   0.06 for odd; output max(s - min(estimate, s), s * 0.05).
// - PCAN: snr = S (E + 80)^-0.95 with S, E the signal and the estimate times 2^3 (the
//   microfrontend's input_correction_bits, msb(512) - 1 - 6); output snr^2 / 4 below 2,
//   snr - 1 above.
// - Log: 64 ln(512 * pcan) where 512 * pcan > 1 (2^6 for the Q6 PCAN output, 2^3 the
//   correction bits), else 0; capped at 65535.
// The output is in the same units as the uint16 features (roughly 0...670), as Double.
//
// How far the fixed chain (pymicro-features) is from this, in feature units (1 unit =
// 1/64 of a natural log, 1.6 % in amplitude; FloatMicroFrontendTests): the first frame of
// noise clips within 1.4 (the constants agree); over all clips 67 % of the values within
// 1; away from the log floor (both > 250) median 1.2 and p99 30 on mid-level speech and
// noise, worse on loud and narrowband audio (p99 up to 160), where noise reduction leaves
// a small remainder that carries the int16 FFT's rounding floor into PCAN and the log.
// Below the floor the fixed chain can only say 0 or >= 64 ln 8 = 133, the float anything.
import Foundation
import Frontend

/// The microfrontend in float.
///
///     let ideal = FloatMicroFrontend()
///     let frames = ideal.process(samples)   // [[Double]], 40 per 10 ms once 30 ms are in
public final class FloatMicroFrontend {
  /// The microfrontend's parameters (microWakeWord's: REFERENCE §1a).
  public struct Config: Sendable {
    public var sampleRate = 16_000
    public var windowMilliseconds = 30
    public var stepMilliseconds = 10
    public var channelCount = 40
    public var lowerBandHertz: Float = 125
    public var upperBandHertz: Float = 7500
    public var noiseReductionEnabled = true
    public var evenSmoothing = 0.025
    public var oddSmoothing = 0.06
    public var minSignalRemaining = 0.05
    public var pcanEnabled = true
    public var pcanStrength = 0.95
    public var pcanOffset = 80.0
    public var logEnabled = true
    public var logScaleShift = 6
    public init() {}
  }

  /// The float counterpart of a fixed-point `MicroFrontend` configuration.
  public convenience init(config fixed: MicroFrontendConfig) {
    var c = Config()
    c.sampleRate = fixed.sampleRate
    c.windowMilliseconds = fixed.windowMs
    c.stepMilliseconds = fixed.stepMs
    c.channelCount = fixed.channelCount
    c.lowerBandHertz = fixed.lowerBandHz
    c.upperBandHertz = fixed.upperBandHz
    c.noiseReductionEnabled = fixed.noiseReductionEnabled
    c.evenSmoothing = Double(fixed.evenSmoothing)
    c.oddSmoothing = Double(fixed.oddSmoothing)
    c.minSignalRemaining = Double(fixed.minSignalRemaining)
    c.pcanEnabled = fixed.pcanEnabled
    c.pcanStrength = Double(fixed.pcanStrength)
    c.pcanOffset = Double(fixed.pcanOffset)
    c.logEnabled = fixed.logScaleEnabled
    c.logScaleShift = fixed.logScaleShift
    self.init(config: c)
  }

  public let config: Config
  public let windowSamples: Int
  public let stepSamples: Int
  public let fftLength: Int
  /// The float Hann window, (i + 1/2) centred.
  public let window: [Double]
  /// For each FFT bin from `startBin`: the channel segment it belongs to and its weight
  /// w toward the segment's lower center (channel segment - 1).
  private let startBin: Int
  private let binSegment: [Int]
  private let binWeight: [Double]
  private let fft: FloatRealFFT
  private var estimate: [Double]
  private var pending: [Int16] = []

  /// `input_correction_bits` of the microfrontend: msb(fftLength) - 1 - kFilterbankBits / 2.
  private let correctionBits: Int

  public init(config: Config = Config()) {
    self.config = config
    windowSamples = config.windowMilliseconds * config.sampleRate / 1000
    stepSamples = config.stepMilliseconds * config.sampleRate / 1000
    var n = 1
    while n < windowSamples { n *= 2 }
    fftLength = n
    fft = FloatRealFFT(length: n)
    let size = windowSamples
    window = (0..<size).map { i in 0.5 - 0.5 * cos(2 * Double.pi * (Double(i) + 0.5) / Double(size))
    }
    correctionBits = (Int.bitWidth - n.leadingZeroBitCount) - 1 - 6

    // Filterbank layout as FilterbankPopulateState builds it, in float32 like the C code.
    func melf(_ hz: Float) -> Float { Float(1127) * log1pf(hz / Float(700)) }
    let channelsPlus1 = config.channelCount + 1
    let melLow = melf(config.lowerBandHertz)
    let melHigh = melf(config.upperBandHertz)
    let spacing = (melHigh - melLow) / Float(channelsPlus1)
    let centers = (0..<channelsPlus1).map { melLow + spacing * Float($0 + 1) }
    let spectrumSize = n / 2 + 1
    let hzPerBin = Float(0.5) * Float(config.sampleRate) / (Float(spectrumSize) - 1)
    startBin = Int(Float(1.5) + config.lowerBandHertz / hzPerBin)
    var segments: [Int] = []
    var weights: [Double] = []
    var bin = startBin
    for segment in 0..<channelsPlus1 {
      while melf(Float(bin) * hzPerBin) <= centers[segment] {
        let denominator = segment == 0 ? melLow : centers[segment - 1]
        let w = (centers[segment] - melf(Float(bin) * hzPerBin)) / (centers[segment] - denominator)
        segments.append(segment)
        weights.append(Double(w))
        bin += 1
      }
    }
    binSegment = segments
    binWeight = weights
    estimate = [Double](repeating: 0, count: config.channelCount)
  }

  /// Forgets buffered samples and the noise estimates.
  public func reset() {
    pending = []
    estimate = [Double](repeating: 0, count: config.channelCount)
  }

  /// Feeds samples; returns one 40-value frame per completed window (every stepSamples).
  public func process(_ samples: [Int16]) -> [[Double]] {
    pending += samples
    var frames: [[Double]] = []
    var start = 0
    while pending.count - start >= windowSamples {
      frames.append(frame(Array(pending[start..<(start + windowSamples)])))
      start += stepSamples
    }
    pending.removeFirst(start)
    return frames
  }

  /// The filterbank output of one window (channelCount values, before noise reduction),
  /// in the fixed-point filterbank's units: sqrt(sum w |DFT|^2) / 8.
  public func filterbank(_ samples: [Int16]) -> [Double] {
    let windowed = (0..<windowSamples).map { Double(samples[$0]) * window[$0] }
    let power = fft.powers(of: windowed)
    var work = [Double](repeating: 0, count: config.channelCount + 1)
    for (i, segment) in binSegment.enumerated() {
      let p = power[startBin + i]
      let w = binWeight[i]
      // Weight toward the segment's lower center goes to the channel centred there
      // (work[segment]); the rest to the channel centred above (work[segment + 1]).
      work[segment] += w * p
      if segment + 1 <= config.channelCount { work[segment + 1] += (1 - w) * p }
    }
    // work[0] collects the half-triangle below the first center and is dropped, as in C.
    let scale = Double(1 << 6) / Double(fftLength)
    return (1...config.channelCount).map { work[$0].squareRoot() * scale }
  }

  private func frame(_ samples: [Int16]) -> [Double] {
    var signal = filterbank(samples)
    for i in 0..<config.channelCount where config.noiseReductionEnabled {
      let a = i % 2 == 0 ? config.evenSmoothing : config.oddSmoothing
      estimate[i] = signal[i] * a + estimate[i] * (1 - a)
      let floor = signal[i] * config.minSignalRemaining
      signal[i] = max(signal[i] - min(estimate[i], signal[i]), floor)
    }
    let correction = Double(1 << correctionBits)
    if config.pcanEnabled {
      for i in 0..<config.channelCount {
        let snr =
          correction * signal[i]
          * pow(correction * estimate[i] + config.pcanOffset, -config.pcanStrength)
        signal[i] = snr < 2 ? snr * snr / 4 : snr - 1
      }
    }
    guard config.logEnabled else { return signal }
    // 2^6 (Q6 of the PCAN output) times the correction bits, as the C code shifts them in.
    let toLogInput = Double(1 << 6) * correction
    return signal.map { s in
      let v = s * toLogInput
      return v > 1 ? min(Double(1 << config.logScaleShift) * log(v), 65_535) : 0
    }
  }
}
