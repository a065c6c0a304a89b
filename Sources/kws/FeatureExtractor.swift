// The front ends behind `--frontend` and `--reference`, one clip at a time.
//
// Fixed-point front ends come from the embedded core (Sources/Frontend); the float
// references (FFTW) from Host. Units: the fixed-point microfrontend gives uint16 codes,
// the fixed-point MFCC Q16 int32 codes (real = code / 65536); the float references give
// float32 in the SAME units as their fixed-point twin, so the two outputs subtract
// directly into an error in code units.
//
// The fixed-point microfrontend streams: an hours-long file is never held whole.
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

/// Feeds the samples of one clip through a front end and collects its frames.
struct FeatureExtractor {
  let name: FrontendName
  let reference: Bool
  /// The fixed-point microfrontend (microfrontend, micro-speech).
  private var micro: MicroFrontend

  init(name: FrontendName, reference: Bool) throws(CLIError) {
    self.name = name
    self.reference = reference
    switch (name, reference) {
    case (.microfrontend, false), (.microSpeech, false):
      do {
        micro = try MicroFrontend(config: name == .microfrontend ? .microWakeWord : .microSpeech)
      } catch {
        throw CLIError("--frontend \(name.rawValue): \(error)")
      }
    case (.mfcc, false):
      throw CLIError(
        "--frontend mfcc: the fixed-point MFCC front end is not available in this build")
    case (_, true):
      throw CLIError(
        "--frontend \(name.rawValue) --reference: the float reference front ends are not available in this build"
      )
    }
  }

  /// Features per frame.
  var featureCount: Int { micro.featureCount }

  /// The element type this front end produces (before any quantization).
  var dtype: NpyDType { .uint16 }

  /// An empty value array of this front end's element type.
  func emptyValues() -> FeatureValues { .uint16([]) }

  /// Forgets everything: the next sample starts a new clip.
  mutating func reset() {
    micro.reset()
  }

  /// Feeds 16 kHz samples; frames that complete are appended to `values`.
  mutating func process(_ samples: UnsafeBufferPointer<Int16>, into values: inout FeatureValues) {
    guard case .uint16(var codes) = values else { return }
    values = .uint16([])  // hand the storage over, so appending does not copy it
    micro.process(samples) { codes.append(contentsOf: $0) }
    values = .uint16(codes)
  }

  /// Ends the clip named `source` (whole-clip front ends compute its frames here).
  mutating func finishClip(source: String, values: inout FeatureValues) throws(CLIError) {}
}

/// `--quantize`: feature codes to the model's int8 input exactly as the reference
/// computes it, through the core's `FeatureQuantizer` once it is in this build.
struct FeatureQuantization {
  init(_ quantization: Quantization, for extractor: FeatureExtractor) throws(CLIError) {
    throw CLIError(
      "--quantize is not available in this build: the core's FeatureQuantizer has not landed yet")
  }

  func apply(_ values: FeatureValues) -> FeatureValues { values }
}
