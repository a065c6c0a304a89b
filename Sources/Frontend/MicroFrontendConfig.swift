// The parameters of the TFLM microfrontend, in the units people tune them in
// (ms, Hz, fractions), with the two presets that matter: microWakeWord (10 ms step)
// and TFLM's micro_speech example (20 ms step).

/// Configuration of ``MicroFrontend``, the TFLM "microfrontend" log-mel front end.
///
/// Defaults are the microWakeWord / ESPHome / pymicro-features settings:
///
///     var config = MicroFrontendConfig.microWakeWord   // 30 ms window, 10 ms step, 40 ch
///     config.stepMs = 20                               // == MicroFrontendConfig.microSpeech
///     let frontend = try MicroFrontend(config: config)
///
/// Fractions are `Float` because the reference builds its tables from C floats, and
/// float-vs-double rounding shows in the output.
public struct MicroFrontendConfig: Equatable, Sendable {
  /// Input sample rate in Hz.
  public var sampleRate: Int = 16000
  /// Analysis window length in ms (30 ms = 480 samples at 16 kHz).
  public var windowMs: Int = 30
  /// Hop between frames in ms (10 ms = 160 samples at 16 kHz).
  public var stepMs: Int = 10
  /// Mel channels, i.e. features per frame.
  public var channelCount: Int = 40
  /// Lower edge of the first mel channel in Hz.
  public var lowerBandHz: Float = 125
  /// Upper edge of the last mel channel in Hz.
  public var upperBandHz: Float = 7500

  /// Noise reduction on/off. Off keeps tracking the noise estimate (PCAN needs it)
  /// but passes the signal through, exactly like the C with `min_signal_remaining = 1`.
  public var noiseReductionEnabled: Bool = true
  /// The channel energies are scaled up by 2^smoothingBits while estimating noise.
  public var smoothingBits: Int = 10
  /// Per-frame weight of the new value in the noise estimate, even channels.
  public var evenSmoothing: Float = 0.025
  /// Per-frame weight of the new value in the noise estimate, odd channels.
  public var oddSmoothing: Float = 0.06
  /// Fraction of the signal kept however much noise is subtracted.
  public var minSignalRemaining: Float = 0.05

  /// Per-channel automatic gain control (PCAN) on/off.
  public var pcanEnabled: Bool = true
  /// Gain normalization exponent (0 disables, 1 full strength).
  public var pcanStrength: Float = 0.95
  /// Positive value added to the noise estimate in the gain's denominator.
  public var pcanOffset: Float = 80
  /// Fraction bits of the gain.
  public var pcanGainBits: Int = 21

  /// Log compression on/off (off outputs the linear energies, saturated to 16 bits).
  public var logScaleEnabled: Bool = true
  /// The natural-log output is scaled by 2^logScaleShift (6: 1/64 units of ln).
  public var logScaleShift: Int = 6

  public init() {}

  /// microWakeWord / ESPHome / pymicro-features: 30 ms window, 10 ms step, 40 channels.
  public static let microWakeWord = MicroFrontendConfig()

  /// TFLM's micro_speech example: the same chain with a 20 ms step (49 frames per 1 s).
  public static let microSpeech: MicroFrontendConfig = {
    var config = MicroFrontendConfig()
    config.stepMs = 20
    return config
  }()

  /// Samples per analysis window (`windowMs * sampleRate / 1000`, rounded down).
  public var windowSamples: Int { windowMs * sampleRate / 1000 }
  /// Samples per step (`stepMs * sampleRate / 1000`, rounded down).
  public var stepSamples: Int { stepMs * sampleRate / 1000 }

  /// Checks every parameter the tables and the integer path rely on.
  public func validate() throws(MicroFrontendConfigError) {
    typealias Parameter = MicroFrontendConfigError.Parameter
    func require(
      _ ok: Bool, _ parameter: Parameter, _ requirement: @autoclosure () -> String
    ) throws(MicroFrontendConfigError) {
      if !ok { throw MicroFrontendConfigError(parameter: parameter, requirement: requirement()) }
    }
    try require(
      sampleRate >= 1000 && sampleRate <= 192_000, .sampleRate, "must be in 1000...192000 Hz")
    try require(windowMs >= 1, .windowMs, "must be at least 1 ms")
    try require(
      windowSamples >= MicroWindow.minimumSize && windowSamples <= MicroWindow.maximumSize,
      .windowMs,
      "must give \(MicroWindow.minimumSize)...\(MicroWindow.maximumSize) samples (gives \(windowSamples))"
    )
    try require(
      stepSamples >= 1 && stepSamples <= windowSamples, .stepMs,
      "must give 1...\(windowSamples) samples, at most one window (gives \(stepSamples))")
    try require(channelCount >= 1 && channelCount <= 256, .channelCount, "must be in 1...256")
    try require(lowerBandHz.isFinite && lowerBandHz >= 0, .lowerBandHz, "must be finite and >= 0")
    try require(
      upperBandHz.isFinite && upperBandHz > lowerBandHz && upperBandHz <= Float(sampleRate) / 2,
      .upperBandHz, "must be above lowerBandHz and at most sampleRate / 2")
    try require(smoothingBits >= 0 && smoothingBits <= 16, .smoothingBits, "must be in 0...16")
    try require(evenSmoothing >= 0 && evenSmoothing <= 1, .evenSmoothing, "must be in 0...1")
    try require(oddSmoothing >= 0 && oddSmoothing <= 1, .oddSmoothing, "must be in 0...1")
    try require(
      minSignalRemaining >= 0 && minSignalRemaining <= 1, .minSignalRemaining, "must be in 0...1")
    if pcanEnabled {
      try require(
        pcanStrength.isFinite && pcanStrength >= 0, .pcanStrength, "must be finite and >= 0")
      try require(pcanOffset.isFinite && pcanOffset > 0, .pcanOffset, "must be finite and > 0")
      let correction = LogScale.correctionBits(fftSize: KissFFT.fftSize(forInput: windowSamples))
      let snrShift = pcanGainBits - correction - PCANGainControl.snrBits
      try require(
        pcanGainBits <= 31 && snrShift >= 0 && snrShift < 32, .pcanGainBits,
        "must be at most 31 and leave a gain shift in 0...31 (gives \(snrShift))")
      let inputBits = smoothingBits - correction
      try require(
        inputBits >= 0 && inputBits < 32, .smoothingBits,
        "with PCAN must exceed the FFT's correction bits (\(correction)) by 0...31")
    }
    try require(logScaleShift >= 0 && logScaleShift <= 16, .logScaleShift, "must be in 0...16")
  }
}

/// A ``MicroFrontendConfig`` parameter that the front end cannot work with.
///
/// Not `Equatable` on purpose: comparing its text would pull Unicode tables into the
/// firmware; compare `parameter` instead.
public struct MicroFrontendConfigError: Error, CustomStringConvertible {
  /// The properties of ``MicroFrontendConfig`` that can be wrong.
  public enum Parameter: Equatable, Sendable {
    case sampleRate, windowMs, stepMs, channelCount, lowerBandHz, upperBandHz
    case smoothingBits, evenSmoothing, oddSmoothing, minSignalRemaining
    case pcanStrength, pcanOffset, pcanGainBits, logScaleShift

    /// The property's name in ``MicroFrontendConfig``.
    public var name: String {
      switch self {
      case .sampleRate: "sampleRate"
      case .windowMs: "windowMs"
      case .stepMs: "stepMs"
      case .channelCount: "channelCount"
      case .lowerBandHz: "lowerBandHz"
      case .upperBandHz: "upperBandHz"
      case .smoothingBits: "smoothingBits"
      case .evenSmoothing: "evenSmoothing"
      case .oddSmoothing: "oddSmoothing"
      case .minSignalRemaining: "minSignalRemaining"
      case .pcanStrength: "pcanStrength"
      case .pcanOffset: "pcanOffset"
      case .pcanGainBits: "pcanGainBits"
      case .logScaleShift: "logScaleShift"
      }
    }
  }

  /// The offending property.
  public let parameter: Parameter
  /// What the value must satisfy.
  public let requirement: String

  public init(parameter: Parameter, requirement: String) {
    self.parameter = parameter
    self.requirement = requirement
  }

  public var description: String { "MicroFrontendConfig.\(parameter.name) \(requirement)" }
}
