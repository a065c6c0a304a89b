// The front ends behind `--frontend` and `--reference`, one instance per clip.
//
// Fixed-point front ends come from the embedded core (Sources/Frontend); the float
// references from Host. A choice whose implementation is not in this build fails with
// "not available" before any audio is touched: never fake output.
import ArgumentParser
import Frontend
import Host

enum FrontendName: String, ExpressibleByArgument, CaseIterable {
  /// TFLM microfrontend log-mel, 40 channels, 30 ms window, 10 ms step (microWakeWord).
  case microfrontend
  /// The same chain with a 20 ms step (the TFLM micro_speech example).
  case microSpeech = "micro-speech"
  /// MLPerf Tiny DS-CNN MFCC: 10 coefficients, 30 ms window, 20 ms step, clip-peak
  /// normalized.
  case mfcc
}

/// Streams samples of one clip through a front end and collects its frames.
struct FeatureExtractor {
  /// The implementations present in this build; a case per front end as it lands.
  private enum Backend {}

  let name: FrontendName
  let reference: Bool
  private var backend: Backend

  init(name: FrontendName, reference: Bool) throws(CLIError) {
    self.name = name
    self.reference = reference
    let what =
      reference
      ? "the float reference \(name.rawValue) front end"
      : "the fixed-point \(name.rawValue) front end"
    throw CLIError(
      "--frontend \(name.rawValue)\(reference ? " --reference" : ""): \(what) is not available in this build"
    )
  }

  /// Features per frame.
  var featureCount: Int {
    switch backend {}
  }

  /// The element type this front end produces (before any quantization).
  var dtype: NpyDType {
    switch backend {}
  }

  /// Forgets everything: the next sample starts a new clip.
  mutating func reset() {
    switch backend {}
  }

  /// Feeds 16 kHz samples; frames that complete are appended to `values`.
  mutating func process(_ samples: UnsafeBufferPointer<Int16>, into values: inout FeatureValues) {
    switch backend {}
  }

  /// Ends a clip whose largest sample magnitude was `peak`: front ends that normalize
  /// per clip (mfcc) correct the collected frames here.
  func finishClip(peak: Int, values: inout FeatureValues) {
    switch backend {}
  }

  /// An empty value array of this front end's element type.
  func emptyValues() -> FeatureValues {
    switch dtype {
    case .uint16: return .uint16([])
    case .int32: return .int32([])
    case .int8: return .int8([])
    case .float32: return .float32([])
    }
  }
}

/// `--quantize`: feature codes to the model's int8 input, exactly as the reference
/// (round half to even of real / scale + zero point, clamped), through the core's
/// `FeatureQuantizer` once it is in this build.
struct FeatureQuantization {
  let quantization: Quantization

  init(_ quantization: Quantization, for extractor: FeatureExtractor) throws(CLIError) {
    self.quantization = quantization
    throw CLIError(
      "--quantize is not available in this build: the core's FeatureQuantizer has not landed yet")
  }

  func apply(_ values: FeatureValues) -> FeatureValues {
    values
  }
}
