// The TFLM "microfrontend" (microWakeWord / ESPHome / micro_speech log-mel features)
// as one streaming value: samples in, one uint16 feature vector per step out, bit for
// bit what the C library (pymicro-features) computes.
//
//   int16 samples -> MicroWindow (Hann, Q12) -> KissFFT (auto-scaled int16 real FFT)
//   -> MicroFilterBank (mel, sqrt) -> NoiseReduction -> PCANGainControl -> LogScale
//   -> uint16 features
import FixedPoint

/// Streaming TFLM microfrontend.
///
///     var frontend = try MicroFrontend(config: .microWakeWord)
///     samples.withUnsafeBufferPointer { chunk in       // any chunk size
///       frontend.process(chunk) { features in          // 40 x UInt16 per 10 ms
///         // microWakeWord input: Float(v) / 25.6, or the int8 quantization of it
///       }
///     }
///
/// The first frame comes once `windowSamples` (480) samples are in, then one every
/// `stepSamples` (160, or 320 for `.microSpeech`). Chunking never changes the frames.
///
/// Bit-exactness holds against the C library as built on Linux with glibc 2.36 (and, for
/// these presets, with newlib on a Cortex-M4): the C builds its tables with the
/// platform's cosf / log1pf / powf, so a libm that rounds those differently can move a
/// table entry by one; `TableMath` reproduces what those libraries compute.
/// Tables are built at init; `process` does not allocate (as long as this value is not
/// copied and then both copies used, which would copy its buffers once).
public struct MicroFrontend {
  public let config: MicroFrontendConfig

  var window: MicroWindow
  var fft: KissFFT
  let filterBank: MicroFilterBank
  var noiseReduction: NoiseReduction
  let gainControl: PCANGainControl?
  let logScale: LogScale
  /// Channel values between stages (filterbank output, then NR and PCAN in place).
  var channels: [UInt32]
  /// The finished frame handed to `onFrame`.
  var features: [UInt16]

  /// Builds every table (Hann window, twiddles, mel weights, PCAN gains) from `config`.
  public init(config: MicroFrontendConfig) throws(MicroFrontendConfigError) {
    try config.validate()
    self.config = config
    window = MicroWindow(size: config.windowSamples, step: config.stepSamples)
    fft = KissFFT(inputSize: config.windowSamples)
    filterBank = try MicroFilterBank(
      channelCount: config.channelCount, lowerBandHz: config.lowerBandHz,
      upperBandHz: config.upperBandHz,
      sampleRate: config.sampleRate, spectrumSize: fft.spectrumSize)
    noiseReduction = NoiseReduction(
      channelCount: config.channelCount, smoothingBits: config.smoothingBits,
      evenSmoothing: config.evenSmoothing, oddSmoothing: config.oddSmoothing,
      minSignalRemaining: config.minSignalRemaining, enabled: config.noiseReductionEnabled)
    let correctionBits = LogScale.correctionBits(fftSize: fft.fftSize)
    gainControl =
      config.pcanEnabled
      ? PCANGainControl(
        channelCount: config.channelCount, strength: config.pcanStrength, offset: config.pcanOffset,
        gainBits: config.pcanGainBits, smoothingBits: config.smoothingBits,
        correctionBits: correctionBits)
      : nil
    logScale = LogScale(
      enabled: config.logScaleEnabled, scaleShift: config.logScaleShift,
      correctionBits: correctionBits)
    channels = [UInt32](repeating: 0, count: config.channelCount)
    features = [UInt16](repeating: 0, count: config.channelCount)
  }

  /// Features per frame (mel channels).
  public var featureCount: Int { config.channelCount }
  /// Samples between frames.
  public var stepSamples: Int { window.step }
  /// Samples per analysis window (needed before the first frame).
  public var windowSamples: Int { window.size }

  /// Feeds samples (any count, including 0 or 1) and calls `onFrame` for every frame
  /// completed, in order. The buffer passed to `onFrame` is only valid during the call,
  /// and `onFrame` must not use this front end (it is being mutated).
  public mutating func process(
    _ samples: UnsafeBufferPointer<Int16>, onFrame: (UnsafeBufferPointer<UInt16>) -> Void
  ) {
    var position = 0
    while position < samples.count {
      let (taken, frameReady) = window.consume(samples, from: position)
      position += taken
      if frameReady {
        computeFeatures()
        features.withUnsafeBufferPointer { onFrame($0) }
      }
    }
  }

  /// Runs stages 2-6 on the windowed frame now in `window.output`.
  mutating func computeFeatures() {
    // Scale the frame up to use the FFT's full int16 range, and down again after the
    // square root. |max| is never -32768 here (see MicroWindow), so the shift is 0...15.
    let shift = 15 - UInt32(UInt16(bitPattern: window.maxAbsOutput)).significantBitCount
    window.output.withUnsafeBufferPointer { frame in
      fft.transform(frame, shift: shift)
    }
    fft.output.withUnsafeBufferPointer { spectrum in
      channels.withUnsafeMutableBufferPointer { channels in
        filterBank.apply(spectrum, scaleDownShift: shift, into: channels)
        noiseReduction.apply(channels)
        if let gainControl {
          noiseReduction.estimate.withUnsafeBufferPointer { estimate in
            gainControl.apply(channels, noiseEstimate: estimate)
          }
        }
        features.withUnsafeMutableBufferPointer { features in
          logScale.apply(UnsafeBufferPointer(channels), into: features)
        }
      }
    }
  }

  /// Back to the state right after init: empty window, zero noise estimates.
  public mutating func reset() {
    window.reset()
    fft.reset()
    noiseReduction.reset()
  }
}
