/// The front ends a model can be fed by, by name.
///
///     FrontendKind(name: "mfcc")       // .mfcc
///     FrontendKind.microfrontend.codeUnit   // 0.0390625: a uint16 code v means v / 25.6
public enum FrontendKind: Equatable, Sendable {
  /// The TFLM microfrontend log-mel, 10 ms step (microWakeWord, ESPHome).
  case microfrontend
  /// The same chain with a 20 ms step (the TFLM micro_speech example).
  case microSpeech
  /// The MLPerf Tiny DS-CNN MFCC (30 ms window, 20 ms step, 10 coefficients), Q16.
  case mfcc

  public static let all: [FrontendKind] = [.microfrontend, .microSpeech, .mfcc]

  public init?(name: String) {
    switch name {
    case "microfrontend": self = .microfrontend
    case "micro-speech": self = .microSpeech
    case "mfcc": self = .mfcc
    default: return nil
    }
  }

  public var name: String {
    switch self {
    case .microfrontend: return "microfrontend"
    case .microSpeech: return "micro-speech"
    case .mfcc: return "mfcc"
    }
  }

  /// The real value of one feature code, as the models' training pipelines define it:
  /// microWakeWord and micro_speech feed `v * 0.0390625` (v / 25.6); MFCC codes are Q16.
  public var codeUnit: Double {
    switch self {
    case .microfrontend, .microSpeech: return 0.0390625
    case .mfcc: return 1.0 / Double(1 << MFCCFrontend.outputFractionBits)
    }
  }
}

public enum FrontendError: Error, CustomStringConvertible {
  case micro(MicroFrontendConfigError)
  case mfcc(MFCCError)

  public var description: String {
    switch self {
    case .micro(let e): return "\(e)"
    case .mfcc(let e): return "MFCC: \(e)"
    }
  }
}

/// One front end of any kind behind one streaming interface: int16 samples in, Int32
/// feature codes out (microfrontend uint16 values widened, MFCC Q16 values as they are).
///
///     var fe = try FeatureExtractor(.microfrontend)
///     fe.process(chunk) { codes in /* 40 codes per 10 ms */ }
public struct FeatureExtractor {
  private enum Engine {
    case micro(MicroFrontend)
    case mfcc(MFCCFrontend)
    /// Held only while an engine is being mutated, so the payload stays uniquely
    /// referenced and its buffers are never copied.
    case idle
  }

  public let kind: FrontendKind
  public let featureCount: Int
  public let stepSamples: Int
  public let windowSamples: Int
  private var engine: Engine
  private var widened: [Int32]

  public init(_ kind: FrontendKind) throws(FrontendError) {
    self.kind = kind
    switch kind {
    case .microfrontend, .microSpeech:
      let fe: MicroFrontend
      do {
        fe = try MicroFrontend(config: kind == .microfrontend ? .microWakeWord : .microSpeech)
      } catch {
        throw .micro(error)
      }
      featureCount = fe.featureCount
      stepSamples = fe.stepSamples
      windowSamples = fe.windowSamples
      engine = .micro(fe)
    case .mfcc:
      let fe: MFCCFrontend
      do {
        fe = try MFCCFrontend(config: MFCCConfig())
      } catch {
        throw .mfcc(error)
      }
      featureCount = fe.featureCount
      stepSamples = fe.stepSamples
      windowSamples = fe.windowSamples
      engine = .mfcc(fe)
    }
    widened = Array(repeating: 0, count: featureCount)
  }

  /// Feeds samples (any chunk size); calls `onFrame` with `featureCount` codes per frame.
  public mutating func process(
    _ samples: UnsafeBufferPointer<Int16>, onFrame: (UnsafeBufferPointer<Int32>) -> Void
  ) {
    switch engine {
    case .micro(var fe):
      engine = .idle
      let count = featureCount
      widened.withUnsafeMutableBufferPointer { wide in
        fe.process(samples) { frame in
          for i in 0..<count { wide[i] = Int32(frame[i]) }
          onFrame(UnsafeBufferPointer(wide))
        }
      }
      engine = .micro(fe)
    case .mfcc(var fe):
      engine = .idle
      fe.process(samples, onFrame: onFrame)
      engine = .mfcc(fe)
    case .idle:
      break
    }
  }

  /// Back to the start of a stream.
  public mutating func reset() {
    switch engine {
    case .micro(var fe):
      engine = .idle
      fe.reset()
      engine = .micro(fe)
    case .mfcc(var fe):
      engine = .idle
      fe.reset()
      engine = .mfcc(fe)
    case .idle:
      break
    }
  }
}
