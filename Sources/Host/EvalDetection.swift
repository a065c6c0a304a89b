// Detection-mode evaluation of a streaming spotter: each file streams through the
// spotter once (fresh state), which gives the headline detections with the model's own
// settings and records every keyword's score code per invocation. The trade-off curve
// then re-runs only the post-processing (`KeywordDetector`) over those recorded codes,
// one threshold at a time: the model never runs again.
//
//   FRR      = positives with no detection / positives
//   FA/h     = detections on negatives / hours of negative audio
import Foundation
import Frontend
import Spotter

/// What one file gave: its length and each keyword's score codes, invocation by invocation.
public struct RecordedScores: Sendable {
  public init(samples: Int, codes: [[Int32]], detections: Int) {
    self.samples = samples
    self.codes = codes
    self.detections = detections
  }
  public var samples: Int
  /// codes[k][i]: keyword k's output code at invocation i.
  public var codes: [[Int32]]
  /// Detections the spotter made with the manifest's settings.
  public var detections: Int
}

/// The post-processing constants of one model, to re-run its detectors.
public struct DetectorSetup: Sendable {
  public init(
    keywords: [DetectionSettings], labels: [Int], scoreScale: Double, scoreZeroPoint: Int32,
    scoreRange: ClosedRange<Int32>, invocationMs: Double
  ) {
    self.keywords = keywords
    self.labels = labels
    self.scoreScale = scoreScale
    self.scoreZeroPoint = scoreZeroPoint
    self.scoreRange = scoreRange
    self.invocationMs = invocationMs
  }

  public var keywords: [DetectionSettings]
  public var labels: [Int]
  public var scoreScale: Double
  public var scoreZeroPoint: Int32
  public var scoreRange: ClosedRange<Int32>
  public var invocationMs: Double

  /// Detections over one file's recorded codes with every keyword's threshold set to `threshold`
  /// (nil: the model's own).
  public func detections(in scores: RecordedScores, threshold: Double?) -> Int {
    var total = 0
    for (k, base) in keywords.enumerated() {
      var settings = base
      if let threshold { settings.threshold = threshold }
      var detector = KeywordDetector(
        settings: settings, scoreScale: scoreScale, scoreZeroPoint: scoreZeroPoint,
        scoreRange: scoreRange,
        invocationMs: invocationMs)
      for code in scores.codes[k] where detector.push(code) { total += 1 }
    }
    return total
  }
}

/// A worker: its own spotter session (front end, interpreter, detectors).
public final class EvalStreamer {
  public let session: SpotterSession
  public let setup: DetectorSetup

  public init(manifest: ModelManifest) throws(EvalError) {
    do {
      session = try SpotterSession(manifests: [manifest])
    } catch {
      throw EvalError(error.description)
    }
    let interpreter = session.runners[0].interpreter
    let config: SpotterModelConfig
    do {
      config = try SpotterSession.config(
        for: manifest, interpreter: interpreter, classifierStrideFrames: nil)
    } catch {
      throw EvalError(error.description)
    }
    let output = interpreter.output(0)
    let stepSamples: Int
    do {
      stepSamples = try FeatureExtractor(manifest.frontend).stepSamples
    } catch {
      throw EvalError("\(manifest.source): front end: \(error)")
    }
    let frameMs = Double(stepSamples) * 1000 / 16000
    let framesPerInvocation =
      config.kind == .classifier ? config.strideFrames : interpreter.input(0).shape[1]
    setup = DetectorSetup(
      keywords: config.keywords.map(\.settings), labels: config.keywords.map(\.label),
      scoreScale: Double(output.scale), scoreZeroPoint: output.zeroPoint,
      scoreRange: output.type == .int8 ? -128...127 : 0...255,
      invocationMs: frameMs * Double(framesPerInvocation))
  }

  /// Streams one file through a fresh spotter.
  public func record(path: String) throws(EvalError) -> RecordedScores {
    let reader: AudioFileReader
    do {
      reader = try AudioFileReader(path: path)
    } catch {
      throw EvalError(error.description)
    }
    let spotter = session.spotter
    spotter.reset()
    var codes = Array(repeating: [Int32](), count: setup.labels.count)
    var detections = 0
    var samples = 0
    let isInt8 = setup.scoreRange.lowerBound < 0
    let labels = setup.labels
    do {
      while let block = try reader.nextBlock() {
        samples += block.count
        try block.withUnsafeBufferPointer { chunk throws(SpotterError) in
          try spotter.process(chunk) { event in
            switch event {
            case .invocation(_, let output):
              for (k, label) in labels.enumerated() {
                codes[k].append(
                  isInt8 ? Int32(Int8(bitPattern: output[label])) : Int32(output[label]))
              }
            case .detection:
              detections += 1
            case .features:
              break
            }
          }
        }
      }
    } catch let error as AudioError {
      throw EvalError(error.description)
    } catch {
      throw EvalError("\(path): \(error)")
    }
    return RecordedScores(samples: samples, codes: codes, detections: detections)
  }
}

public struct DETPoint: Codable, Equatable, Sendable {
  public var threshold: Double
  public var frr: Double
  public var fa_per_hour: Double
}

/// What `kws eval --json` writes in detection mode.
public struct DetectionReport: Codable, Sendable {
  public struct Target: Codable, Sendable {
    public var fa_per_hour: Double
    /// The lowest threshold on the curve whose FA/h is at or below the target (nil if none).
    public var threshold: Double?
    public var frr: Double?
    public var achieved_fa_per_hour: Double?
  }
  public var mode = "detection"
  public var model: String
  /// Headline figures with the manifest's own threshold (and smoothing).
  public var frr: Double
  public var fa_per_hour: Double
  public var threshold: Double
  public var positives: Int
  public var positives_detected: Int
  public var negative_hours: Double
  public var negatives: Int
  public var false_accepts: Int
  public var curve: [DETPoint]
  public var target: Target
  public var skipped: [EvalSkip]

  /// The thresholds the curve visits: 0.00, 0.01, ..., 1.00 and the model's own.
  public static func thresholds(including own: Double) -> [Double] {
    var t = (0...100).map { Double($0) / 100 }
    if !t.contains(own) { t.append(own) }
    return t.sorted()
  }

  public init(
    model: String, setup: DetectorSetup, positives: [RecordedScores], negatives: [RecordedScores],
    targetFAPerHour: Double, skipped: [EvalSkip]
  ) {
    self.model = model
    let own = setup.keywords.first?.threshold ?? 0
    threshold = own
    self.positives = positives.count
    self.negatives = negatives.count
    let negativeSamples = negatives.reduce(0) { $0 + $1.samples }
    negative_hours = Double(negativeSamples) / 16000 / 3600
    positives_detected = positives.filter { $0.detections > 0 }.count
    false_accepts = negatives.reduce(0) { $0 + $1.detections }
    let hours = negative_hours
    func rates(detected: Int, accepts: Int) -> (Double, Double) {
      (
        positives.isEmpty ? 0 : Double(positives.count - detected) / Double(positives.count),
        hours > 0 ? Double(accepts) / hours : 0
      )
    }
    (frr, fa_per_hour) = rates(detected: positives_detected, accepts: false_accepts)
    curve = Self.thresholds(including: own).map { t in
      let detected = positives.filter { setup.detections(in: $0, threshold: t) > 0 }.count
      let accepts = negatives.reduce(0) { $0 + setup.detections(in: $1, threshold: t) }
      let (frr, fa) = rates(detected: detected, accepts: accepts)
      return DETPoint(threshold: t, frr: frr, fa_per_hour: fa)
    }
    let meeting = curve.first { $0.fa_per_hour <= targetFAPerHour }
    target = Target(
      fa_per_hour: targetFAPerHour, threshold: meeting?.threshold, frr: meeting?.frr,
      achieved_fa_per_hour: meeting?.fa_per_hour)
    self.skipped = skipped
  }

  public func json() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return (try? encoder.encode(self)) ?? Data()
  }
}
