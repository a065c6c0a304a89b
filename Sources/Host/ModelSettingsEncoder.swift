// The host half of the model settings blob (format: Sources/Spotter/ModelSettings.swift):
// a manifest, resolved against its model exactly as `kws detect` resolves it
// (`SpotterSession.config`), written as the bytes the firmware links or loads.
import Foundation
import Inference
import Spotter

extension ModelSettings {
  /// The settings `kws detect` would run `manifest` with, checked against its model.
  public init(manifest: ModelManifest, runner: ModelRunner, classifierStrideFrames: Int? = nil)
    throws(SessionError)
  {
    let config = try SpotterSession.config(
      for: manifest, interpreter: runner.interpreter, classifierStrideFrames: classifierStrideFrames
    )
    let model = runner.file.model.bytes
    self.init(
      config: config, labels: manifest.labels.map { Array($0.utf8) }, modelByteCount: model.count,
      modelHash: ModelSettings.fnv1a(model))
  }

  /// The blob. Throws when a value does not fit its field (more than 255 labels, a
  /// label longer than 255 bytes, a stride or window over 65,535).
  public func encoded() throws(SessionError) -> [UInt8] {
    func fail(_ what: String) -> SessionError {
      SessionError(source: "model settings", problem: what)
    }
    guard labels.count >= 1, labels.count <= 255 else {
      throw fail("\(labels.count) labels (1 to 255 fit)")
    }
    guard config.keywords.count <= 65_535 else { throw fail("too many keywords") }
    guard (1...65_535).contains(config.strideFrames) else {
      throw fail("stride \(config.strideFrames) frames does not fit")
    }
    var out: [UInt8] = []
    func put(_ value: UInt64, _ bytes: Int) {
      for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }
    out += [
      ModelSettings.magic.0, ModelSettings.magic.1, ModelSettings.magic.2, ModelSettings.magic.3,
    ]
    put(UInt64(ModelSettings.version), 2)
    put(UInt64(config.keywords.count), 2)
    put(0, 4)  // blob byte count, filled in at the end
    put(UInt64(modelByteCount), 4)
    put(UInt64(modelHash), 4)
    out.append(config.kind == .classifier ? 0 : 1)
    switch config.frontend {
    case .microfrontend: out.append(0)
    case .microSpeech: out.append(1)
    case .mfcc: out.append(2)
    }
    let override = config.inputScale != nil || config.inputZeroPoint != nil
    if override {
      guard config.inputScale != nil, config.inputZeroPoint != nil else {
        throw fail("an input quantization override needs both scale and zero point")
      }
    }
    out.append(
      (config.clipPeakNormalization ? ModelSettings.clipPeakFlag : 0)
        | (override ? ModelSettings.inputOverrideFlag : 0))
    out.append(UInt8(labels.count))
    put(UInt64(config.strideFrames), 2)
    put(0, 2)
    put(UInt64(UInt32(bitPattern: config.inputZeroPoint ?? 0)), 4)
    put((config.inputScale ?? 0).bitPattern, 8)
    for keyword in config.keywords {
      let s = keyword.settings
      guard (0...65_535).contains(keyword.label), (1...65_535).contains(s.smoothingWindow),
        (1...65_535).contains(s.minimumCount), (0...Int(UInt32.max)).contains(s.refractoryMs)
      else { throw fail("keyword \(keyword.label): a detection setting does not fit its field") }
      put(UInt64(keyword.label), 2)
      put(UInt64(s.smoothingWindow), 2)
      put(UInt64(s.minimumCount), 2)
      put(0, 2)
      put(UInt64(s.refractoryMs), 4)
      put(0, 4)
      put(s.threshold.bitPattern, 8)
    }
    for label in labels {
      guard label.count <= 255 else { throw fail("label longer than 255 bytes") }
      out.append(UInt8(label.count))
      out += label
    }
    let count = UInt32(out.count)
    for i in 0..<4 { out[8 + i] = UInt8(truncatingIfNeeded: count >> UInt32(8 * i)) }
    return out
  }

  /// Decodes a blob held in an array.
  public init(blob: [UInt8]) throws(ModelSettingsError) {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(blob.count, 1), alignment: 8)
    defer { copy.deallocate() }
    blob.withUnsafeBytes { copy.copyMemory(from: $0) }
    try self.init(
      bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<blob.count]))
  }

  /// The labels as strings (for reports).
  public var labelNames: [String] { labels.map { String(decoding: $0, as: UTF8.self) } }
}

/// A manifest packed for the firmware: the model's bytes and its settings blob.
public struct PackedModel: Sendable {
  public var name: String
  public var model: [UInt8]
  public var settings: [UInt8]

  public init(name: String, model: [UInt8], settings: [UInt8]) {
    self.name = name
    self.model = model
    self.settings = settings
  }

  public init(manifest: ModelManifest, classifierStrideFrames: Int? = nil) throws(SessionError) {
    let runner: ModelRunner
    do {
      runner = try ModelRunner(path: manifest.modelPath)
    } catch {
      throw SessionError(source: manifest.source, problem: error.message(after: manifest.source))
    }
    let settings = try ModelSettings(
      manifest: manifest, runner: runner, classifierStrideFrames: classifierStrideFrames)
    name = manifest.name
    model = Array(runner.file.model.bytes)
    self.settings = try settings.encoded()
  }
}
