// The front ends behind `--frontend` and `--reference`, one clip at a time. (The core's
// `Frontend.FeatureExtractor` streams Int32 codes for the spotter; the CLI also needs
// the float references, uint16 output for the microfrontend and MFCC's whole-clip
// peak normalization, hence this host-side wrapper.)
//
// Fixed-point front ends come from the embedded core (Sources/Frontend); the float
// references (FFTW) from Host. Units: the fixed-point microfrontend gives uint16 codes,
// the fixed-point MFCC Q16 int32 codes (real = code / 65536); the float references give
// float32 in the SAME units as their fixed-point twin, so the two outputs subtract
// directly into an error in code units.
//
// Streaming vs whole clip: the fixed-point microfrontend streams (an hours-long file is
// never held whole). MFCC divides each clip by its positive peak before anything else
// (MLPerf), which needs the whole clip: its samples are buffered and the exact
// `normalizedClipFeatures` runs at the end. The float references are whole-clip too.
import ArgumentParser
import Frontend
import Host

// `--frontend` takes the core's names: microfrontend, micro-speech, mfcc.
extension FrontendKind: ExpressibleByArgument {
  public init?(argument: String) { self.init(name: argument) }
  public static var allValueStrings: [String] { all.map(\.name) }
  public var defaultValueDescription: String { name }
}

/// Feeds the samples of one clip through a front end and collects its frames.
struct ClipFeatureExtractor {
  let kind: FrontendKind
  let reference: Bool
  /// Exactly one of these is set, per `kind` and `reference`.
  private var micro: MicroFrontend?
  private var mfcc: MFCCFrontend?
  private var floatMicro: FloatMicroFrontend?
  private var floatMFCC: FloatMFCC?
  /// The clip so far, for the whole-clip front ends (mfcc, references).
  private var clip: [Int16] = []

  init(kind: FrontendKind, reference: Bool) throws(CLIError) {
    self.kind = kind
    self.reference = reference
    switch (kind, reference) {
    case (.microfrontend, false), (.microSpeech, false):
      do {
        micro = try MicroFrontend(config: kind == .microfrontend ? .microWakeWord : .microSpeech)
      } catch {
        throw CLIError("--frontend \(kind.name): \(error)")
      }
    case (.mfcc, false):
      do {
        mfcc = try MFCCFrontend(config: MFCCConfig())
      } catch {
        throw CLIError("--frontend mfcc: \(error)")
      }
    case (.microfrontend, true), (.microSpeech, true):
      var config = FloatMicroFrontend.Config()
      if kind == .microSpeech { config.stepMilliseconds = 20 }
      floatMicro = FloatMicroFrontend(config: config)
    case (.mfcc, true):
      floatMFCC = FloatMFCC()
    }
  }

  /// Features per frame.
  var featureCount: Int {
    if let micro { return micro.featureCount }
    if let mfcc { return mfcc.featureCount }
    if let floatMicro { return floatMicro.config.channelCount }
    return FloatMFCC.coefficientCount
  }

  /// The element type this front end produces (before any quantization).
  var dtype: NpyDType {
    if reference { return .float32 }
    return kind == .mfcc ? .int32 : .uint16
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

  /// Forgets everything: the next sample starts a new clip.
  mutating func reset() {
    micro?.reset()
    mfcc?.reset()
    floatMicro?.reset()
    clip.removeAll(keepingCapacity: true)
  }

  /// Feeds 16 kHz samples; frames that complete are appended to `values`.
  mutating func process(_ samples: UnsafeBufferPointer<Int16>, into values: inout FeatureValues) {
    guard micro != nil, case .uint16(var codes) = values else {
      clip.append(contentsOf: samples)
      return
    }
    values = .uint16([])  // hand the storage over, so appending does not copy it
    micro!.process(samples) { codes.append(contentsOf: $0) }
    values = .uint16(codes)
  }

  /// Ends the clip named `source`: the whole-clip front ends compute its frames here.
  mutating func finishClip(source: String, values: inout FeatureValues) throws(CLIError) {
    if micro != nil { return }
    defer { clip.removeAll(keepingCapacity: true) }
    if mfcc != nil {
      let frames = MFCCConfig().frameCount(sampleCount: clip.count)
      var out = [Int32](repeating: 0, count: frames * featureCount)
      do {
        let n = try clip.withUnsafeBufferPointer { (samples) throws(MFCCError) -> Int in
          try out.withUnsafeMutableBufferPointer { (o) throws(MFCCError) -> Int in
            try mfcc!.normalizedClipFeatures(samples, into: o)
          }
        }
        out.removeLast(out.count - n * featureCount)
      } catch {
        throw CLIError("\(source): mfcc: \(Self.explain(error))")
      }
      values = .int32(out)
    } else if let floatMicro {
      floatMicro.reset()
      values = .float32(floatMicro.process(clip).flatMap { $0.map(Float.init) })
    } else if let floatMFCC {
      let normalized: [Double]
      do {
        normalized = try FloatMFCC.peakNormalized(clip)
      } catch {
        throw CLIError("\(source): mfcc: \(Self.explain(error))")
      }
      // Q16 code units, like the fixed-point MFCC.
      let unit = Double(1 << MFCCFrontend.outputFractionBits)
      values = .float32(floatMFCC.mfcc(normalized).map { Float($0 * unit) })
    }
  }

  private static func explain(_ error: MFCCError) -> String {
    switch error {
    case .noPositivePeak(let count):
      return
        "no positive sample in \(count) samples: the clip-peak normalization x / max(x) is undefined"
    default:
      return "\(error)"
    }
  }
}

/// `--quantize`: feature codes to the model's int8 input exactly as the reference computes
/// it (round half to even of code * unit / scale + zero point, clamped), through the
/// core's `FeatureQuantizer`.
struct FeatureQuantization {
  let quantizer: FeatureQuantizer

  init(_ quantization: Quantization, for extractor: ClipFeatureExtractor) throws(CLIError) {
    do {
      quantizer = try FeatureQuantizer(
        scale: Float(quantization.scale), zeroPoint: Int32(quantization.zeroPoint),
        codeUnit: extractor.kind.codeUnit)
    } catch {
      throw CLIError("--quantize \(quantization.scale),\(quantization.zeroPoint): \(error)")
    }
  }

  func apply(_ values: FeatureValues) -> FeatureValues {
    var out = [Int8](repeating: 0, count: values.count)
    out.withUnsafeMutableBufferPointer { o in
      switch values {
      case .uint16(let v): v.withUnsafeBufferPointer { _ = quantizer.quantize($0, into: o) }
      case .int32(let v): v.withUnsafeBufferPointer { _ = quantizer.quantize($0, into: o) }
      case .int8, .float32: break
      }
    }
    if case .int8 = values { return values }
    return .int8(out)
  }
}
