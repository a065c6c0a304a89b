// Model manifests: what a model needs around it to spot keywords (front end, labels,
// input quantization, post-processing). Two formats are read as they are:
//
// 1. microWakeWord v2 (the JSON files ESPHome and pymicro-wakeword ship):
//      {"type": "micro", "wake_word": "Okay Nabu", "model": "okay_nabu.tflite", "version": 2,
//       "micro": {"probability_cutoff": 0.85, "sliding_window_size": 5,
//                 "feature_step_size": 10, "tensor_arena_size": 37000, ...}, ...}
//    -> a streaming model on the microfrontend, one keyword.
// 2. kws v1, our own:
//      {"type": "kws", "version": 1, "name": "...", "model": "dscnn.tflite",
//       "kind": "classifier" | "streaming", "frontend": "mfcc" | "microfrontend" | "micro-speech",
//       "labels": [...], "keywords": [...],            // keywords default: labels but silence/unknown
//       "window_frames": 49, "stride_frames": 5,      // classifier cadence (optional)
//       "input": {"scale": 0.58, "zero_point": 83},   // optional: else the model's input tensor
//       "detection": {"threshold": 0.8, "smoothing": 3, "refractory_ms": 1000, "minimum_count": 1},
//       "keyword_detection": {"yes": {"threshold": 0.9}}}   // per-keyword overrides (optional)
import Foundation
import Frontend
import Spotter

public struct ModelManifest: Sendable {
  public var name: String
  /// Absolute path of the .tflite file.
  public var modelPath: String
  public var kind: ModelKind?
  public var frontend: FrontendKind
  public var labels: [String]
  /// The labels that produce detections (never `silence` / `unknown`).
  public var keywords: [String]
  public var windowFrames: Int?
  public var strideFrames: Int?
  /// Input quantization override (scale, zero point); nil = the model's own.
  public var inputScale: Double?
  public var inputZeroPoint: Int?
  public var detection: DetectionSettings
  public var keywordDetection: [String: DetectionSettings]
  /// Where the manifest came from (for messages).
  public var source: String

  static let frontendNames = FrontendKind.all.map(\.name).joined(separator: ", ")
  static let nonKeywordLabels: Set<String> = ["silence", "unknown", "_silence_", "_unknown_", "background"]

  /// Settings for one keyword: its override if any, else the model's default.
  public func detectionSettings(for keyword: String) -> DetectionSettings {
    keywordDetection[keyword] ?? detection
  }
}

public struct ManifestError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let problem: String
  public init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }
  public var description: String { "\(path): \(problem)" }
}

extension ModelManifest {
  /// Reads a manifest file in either format.
  public static func load(path: String) throws(ManifestError) -> ModelManifest {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ManifestError(path: path, problem: "cannot read the manifest (\(error.localizedDescription))")
    }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw ManifestError(path: path, problem: "not valid JSON")
    }
    guard let json = object as? [String: Any] else {
      throw ManifestError(path: path, problem: "expected a JSON object at the top level")
    }
    let reader = FieldReader(path: path)
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    let modelFile: String = try reader.required(json, "model")
    let modelPath = URL(fileURLWithPath: modelFile, relativeTo: directory).standardizedFileURL.path
    let type: String = try reader.required(json, "type")
    switch type {
    case "micro":
      return try microWakeWord(json, modelPath: modelPath, reader: reader)
    case "kws":
      return try kws(json, modelPath: modelPath, reader: reader)
    default:
      throw ManifestError(path: path, problem: "unknown manifest type \"\(type)\" (expected \"micro\" or \"kws\")")
    }
  }

  /// A bare .tflite with the front end and labels given on the command line.
  public static func bare(
    modelPath: String, frontend name: String, labels: [String], detection: DetectionSettings
  ) throws(ManifestError) -> ModelManifest {
    guard let frontend = FrontendKind(name: name) else {
      throw ManifestError(path: modelPath, problem: "unknown front end \"\(name)\" (one of \(frontendNames))")
    }
    guard !labels.isEmpty else { throw ManifestError(path: modelPath, problem: "no labels given (--labels a,b,c)") }
    let name = URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
    return ModelManifest(
      name: name, modelPath: URL(fileURLWithPath: modelPath).standardizedFileURL.path, kind: nil,
      frontend: frontend, labels: labels,
      keywords: labels.filter { !nonKeywordLabels.contains($0) }, windowFrames: nil, strideFrames: nil,
      inputScale: nil, inputZeroPoint: nil, detection: detection, keywordDetection: [:], source: modelPath)
  }

  private static func microWakeWord(
    _ json: [String: Any], modelPath: String, reader: FieldReader
  ) throws(ManifestError) -> ModelManifest {
    let version: Int = try reader.required(json, "version")
    guard version == 2 else {
      throw reader.error("microWakeWord manifest version \(version) is not supported (only version 2)")
    }
    let wakeWord: String = try reader.required(json, "wake_word")
    let micro: [String: Any] = try reader.required(json, "micro")
    let cutoff: Double = try reader.required(micro, "probability_cutoff", in: "micro")
    let window: Int = try reader.required(micro, "sliding_window_size", in: "micro")
    let step: Int = try reader.required(micro, "feature_step_size", in: "micro")
    guard step == 10 else {
      throw reader.error("micro.feature_step_size \(step) ms is not supported (the microfrontend steps 10 ms)")
    }
    guard (0.0...1.0).contains(cutoff) else { throw reader.error("micro.probability_cutoff \(cutoff) is not in 0...1") }
    guard window >= 1 else { throw reader.error("micro.sliding_window_size must be at least 1") }
    let name = URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
    return ModelManifest(
      name: name, modelPath: modelPath, kind: .streaming, frontend: .microfrontend,
      labels: [wakeWord], keywords: [wakeWord], windowFrames: nil, strideFrames: nil,
      inputScale: nil, inputZeroPoint: nil,
      detection: DetectionSettings(threshold: cutoff, smoothingWindow: window, refractoryMs: 1000),
      keywordDetection: [:], source: reader.path)
  }

  private static func kws(
    _ json: [String: Any], modelPath: String, reader: FieldReader
  ) throws(ManifestError) -> ModelManifest {
    let version: Int = try reader.required(json, "version")
    guard version == 1 else { throw reader.error("kws manifest version \(version) is not supported (only 1)") }
    let frontendName: String = try reader.required(json, "frontend")
    guard let frontend = FrontendKind(name: frontendName) else {
      throw reader.error("unknown frontend \"\(frontendName)\" (one of \(frontendNames))")
    }
    let labels: [String] = try reader.required(json, "labels")
    guard !labels.isEmpty, Set(labels).count == labels.count else {
      throw reader.error("labels must be a non-empty list without repeats")
    }
    let keywords: [String] = try reader.optional(json, "keywords") ?? labels.filter { !nonKeywordLabels.contains($0) }
    for k in keywords where !labels.contains(k) { throw reader.error("keyword \"\(k)\" is not among the labels") }
    var kind: ModelKind? = nil
    if let k: String = try reader.optional(json, "kind") {
      guard let parsed = ModelKind(rawValue: k) else {
        throw reader.error("kind \"\(k)\" is not \"classifier\" or \"streaming\"")
      }
      kind = parsed
    }
    let input: [String: Any]? = try reader.optional(json, "input")
    let scale: Double? = try input.flatMap { i throws(ManifestError) in try reader.required(i, "scale", in: "input") }
    let zeroPoint: Int? = try input.flatMap { i throws(ManifestError) in
      try reader.required(i, "zero_point", in: "input")
    }
    if let scale, !(scale > 0) { throw reader.error("input.scale must be positive") }
    let defaults = try detection(try reader.optional(json, "detection") ?? [:], base: nil, reader: reader, at: "detection")
    var perKeyword: [String: DetectionSettings] = [:]
    let overrides: [String: Any] = try reader.optional(json, "keyword_detection") ?? [:]
    for (keyword, value) in overrides {
      guard keywords.contains(keyword) else {
        throw reader.error("keyword_detection names \"\(keyword)\", which is not a keyword")
      }
      guard let object = value as? [String: Any] else {
        throw reader.error("keyword_detection.\(keyword) must be an object")
      }
      perKeyword[keyword] = try detection(object, base: defaults, reader: reader, at: "keyword_detection.\(keyword)")
    }
    let windowFrames: Int? = try reader.optional(json, "window_frames")
    let strideFrames: Int? = try reader.optional(json, "stride_frames")
    if let w = windowFrames, w < 1 { throw reader.error("window_frames must be at least 1") }
    if let s = strideFrames, s < 1 { throw reader.error("stride_frames must be at least 1") }
    let name: String =
      try reader.optional(json, "name") ?? URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
    return ModelManifest(
      name: name, modelPath: modelPath, kind: kind, frontend: frontend, labels: labels, keywords: keywords,
      windowFrames: windowFrames, strideFrames: strideFrames, inputScale: scale, inputZeroPoint: zeroPoint,
      detection: defaults, keywordDetection: perKeyword, source: reader.path)
  }

  private static func detection(
    _ json: [String: Any], base: DetectionSettings?, reader: FieldReader, at field: String
  ) throws(ManifestError) -> DetectionSettings {
    let fallback = base ?? DetectionSettings(threshold: 0.8, smoothingWindow: 3, refractoryMs: 1000, minimumCount: 1)
    let threshold: Double = try reader.optional(json, "threshold", in: field) ?? fallback.threshold
    let smoothing: Int = try reader.optional(json, "smoothing", in: field) ?? fallback.smoothingWindow
    let refractory: Int = try reader.optional(json, "refractory_ms", in: field) ?? fallback.refractoryMs
    let minimum: Int = try reader.optional(json, "minimum_count", in: field) ?? fallback.minimumCount
    guard (0.0...1.0).contains(threshold) else { throw reader.error("\(field).threshold \(threshold) is not in 0...1") }
    guard smoothing >= 1 else { throw reader.error("\(field).smoothing must be at least 1") }
    guard refractory >= 0 else { throw reader.error("\(field).refractory_ms must not be negative") }
    guard minimum >= 1 else { throw reader.error("\(field).minimum_count must be at least 1") }
    return DetectionSettings(
      threshold: threshold, smoothingWindow: smoothing, refractoryMs: refractory, minimumCount: minimum)
  }
}

/// Typed access to JSON fields with messages that name the field.
private struct FieldReader {
  let path: String

  func error(_ problem: String) -> ManifestError { ManifestError(path: path, problem: problem) }

  func optional<T>(_ json: [String: Any], _ key: String, in parent: String? = nil) throws(ManifestError) -> T? {
    guard let value = json[key], !(value is NSNull) else { return nil }
    let name = parent.map { "\($0).\(key)" } ?? key
    if T.self == Int.self {
      // JSON numbers come back as NSNumber / Double; accept only whole numbers.
      guard let number = value as? NSNumber, !isBoolean(value), number.doubleValue.rounded() == number.doubleValue
      else { throw error("\(name) must be a whole number") }
      return (number.intValue as! T)
    }
    if T.self == Double.self {
      guard let number = value as? NSNumber, !isBoolean(value) else { throw error("\(name) must be a number") }
      return (number.doubleValue as! T)
    }
    guard let typed = value as? T else { throw error("\(name) has the wrong type (expected \(Self.describe(T.self)))") }
    return typed
  }

  func required<T>(_ json: [String: Any], _ key: String, in parent: String? = nil) throws(ManifestError) -> T {
    guard let value: T = try optional(json, key, in: parent) else {
      throw error("missing field \(parent.map { "\($0).\(key)" } ?? key)")
    }
    return value
  }

  /// JSON true/false: Foundation hands them out as NSNumber too (and on Linux `1 is Bool`
  /// holds), so ask the object's class.
  private func isBoolean(_ value: Any) -> Bool {
    String(describing: type(of: value)).contains("Boolean") || type(of: value) == Bool.self
  }

  static func describe(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is [String].Type: return "a list of strings"
    case is [String: Any].Type: return "an object"
    default: return "\(type)"
    }
  }
}
