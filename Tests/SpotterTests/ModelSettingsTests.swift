// The model settings blob: the host encoder and the core decoder agree on every field
// (round trips of real manifests and of hand-set values), the bytes sit where the
// format says, and every bad blob is refused with the field and byte offset: never a
// crash, whatever prefix or single corrupted byte it is given.
import Foundation
import Host
import Spotter
import TestSupport
import Testing

@Suite struct ModelSettingsTests {
  static let shipped = TestSupport.path("Models/kws-speech-commands.json")

  static func nabuManifest() throws -> String {
    let out = try TestSupport.run(
      try TestSupport.python(),
      [
        "-c",
        "import pymicro_wakeword, pathlib; print(pathlib.Path(pymicro_wakeword.__file__).parent / 'models')",
      ])
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      + "/okay_nabu.json"
  }

  static func expectSame(_ a: SpotterModelConfig, _ b: SpotterModelConfig) {
    #expect(a.kind == b.kind)
    #expect(a.frontend == b.frontend)
    #expect(a.strideFrames == b.strideFrames)
    #expect(a.inputScale?.bitPattern == b.inputScale?.bitPattern)
    #expect(a.inputZeroPoint == b.inputZeroPoint)
    #expect(a.clipPeakNormalization == b.clipPeakNormalization)
    #expect(a.keywords.map(\.label) == b.keywords.map(\.label))
    #expect(a.keywords.map(\.settings) == b.keywords.map(\.settings))
  }

  /// The shipped manifest, resolved by hand: classifier on MFCC, clip-peak, stride 5,
  /// the ten keywords (not silence / unknown) at the manifest's own threshold (read here
  /// from the raw JSON, not through `ModelManifest`, as it changes with retraining),
  /// smoothing 3, 1 s.
  @Test func shippedModelRoundTrips() throws {
    let manifest = try ModelManifest.load(path: Self.shipped)
    let raw = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: Self.shipped)))
    let detection = try #require((raw as? [String: Any])?["detection"] as? [String: Any])
    let threshold = try #require(detection["threshold"] as? Double)
    #expect(threshold > 0 && threshold < 1)
    let packed = try PackedModel(manifest: manifest)
    let decoded = try ModelSettings(blob: packed.settings)
    let expected = SpotterModelConfig(
      kind: .classifier, frontend: .mfcc, strideFrames: 5,
      keywords: (0..<10).map {
        (
          label: $0,
          settings: DetectionSettings(
            threshold: threshold, smoothingWindow: 3, refractoryMs: 1000)
        )
      },
      clipPeakNormalization: true)
    Self.expectSame(decoded.config, expected)
    #expect(decoded.labelNames == manifest.labels)
    let model = try Data(contentsOf: URL(fileURLWithPath: manifest.modelPath))
    #expect(packed.model == [UInt8](model))
    try [UInt8](model).withUnsafeBytes { try decoded.check(model: $0) }
  }

  /// okay_nabu's microWakeWord v2 manifest: streaming, 3 frames per invocation (its
  /// input shape), cutoff 0.85, mean of 5, the 1 s refractory period ESPHome uses.
  @Test func okayNabuRoundTrips() throws {
    let packed = try PackedModel(manifest: try ModelManifest.load(path: try Self.nabuManifest()))
    let decoded = try ModelSettings(blob: packed.settings)
    let expected = SpotterModelConfig(
      kind: .streaming, frontend: .microfrontend, strideFrames: 1,
      keywords: [
        (
          label: 0,
          settings: DetectionSettings(threshold: 0.85, smoothingWindow: 5, refractoryMs: 1000)
        )
      ])
    Self.expectSame(decoded.config, expected)
    #expect(decoded.labelNames == ["Okay Nabu"])
  }

  /// Hand-set values in every field, including the input override and per-keyword
  /// settings, and the byte layout of the header the format documents.
  static func handMade() -> ModelSettings {
    ModelSettings(
      config: SpotterModelConfig(
        kind: .classifier, frontend: .microSpeech, strideFrames: 7, inputScale: 0.1017200052738189,
        inputZeroPoint: -128,
        keywords: [
          (
            label: 2,
            settings: DetectionSettings(
              threshold: 0.3, smoothingWindow: 4, refractoryMs: 750, minimumCount: 2)
          ),
          (
            label: 0,
            settings: DetectionSettings(threshold: 1.0, smoothingWindow: 1, refractoryMs: 0)
          ),
        ]),
      labels: [Array("yes".utf8), Array("no".utf8), Array("h\u{e9}".utf8)], modelByteCount: 1234,
      modelHash: 0xDEAD_BEEF)
  }

  @Test func handMadeRoundTripsAndLayout() throws {
    let blob = try Self.handMade().encoded()
    // 40 header + 2 x 24 keywords + labels (1+3, 1+2, 1+3).
    #expect(blob.count == 40 + 48 + 11)
    #expect(Array(blob[0..<8]) == [0x4B, 0x57, 0x53, 0x53, 1, 0, 2, 0])
    #expect(Array(blob[8..<12]) == [99, 0, 0, 0])
    #expect(Array(blob[12..<20]) == [0xD2, 0x04, 0, 0, 0xEF, 0xBE, 0xAD, 0xDE])
    #expect(Array(blob[20..<28]) == [0, 1, 2, 3, 7, 0, 0, 0])
    #expect(Array(blob[28..<32]) == [0x80, 0xFF, 0xFF, 0xFF])
    #expect(Array(blob[40..<52]) == [2, 0, 4, 0, 2, 0, 0, 0, 0xEE, 0x02, 0, 0])
    let decoded = try ModelSettings(blob: blob)
    Self.expectSame(decoded.config, Self.handMade().config)
    #expect(decoded.labels == Self.handMade().labels)
    #expect(decoded.modelByteCount == 1234 && decoded.modelHash == 0xDEAD_BEEF)
  }

  @Test func everyPrefixIsRefused() throws {
    let blob = try Self.handMade().encoded()
    for n in 0..<blob.count {
      #expect(throws: ModelSettingsError.self, "prefix of \(n) bytes") {
        try ModelSettings(blob: Array(blob[0..<n]))
      }
    }
    #expect(throws: ModelSettingsError.self) { try ModelSettings(blob: blob + [0]) }
  }

  @Test func corruptFieldsAreNamedWithTheirOffset() throws {
    let blob = try Self.handMade().encoded()
    func error(_ change: (inout [UInt8]) -> Void) -> String {
      var b = blob
      change(&b)
      do {
        _ = try ModelSettings(blob: b)
        return "accepted"
      } catch {
        return error.description
      }
    }
    #expect(error { $0[0] = 0x58 } == "not a model settings blob (no \"KWSS\" at byte 0)")
    #expect(error { $0[4] = 2 } == "settings blob version 2 is not supported (only 1)")
    #expect(error { $0[20] = 9 } == "settings blob: kind at byte 20 is out of range (9)")
    #expect(error { $0[21] = 3 } == "settings blob: front end at byte 21 is out of range (3)")
    #expect(error { $0[22] = 0x80 } == "settings blob: flags at byte 22 is out of range (128)")
    #expect(error { $0[24] = 0 } == "settings blob: stride frames at byte 24 is out of range (0)")
    #expect(error { $0[40] = 3 } == "settings blob: keyword label at byte 40 is out of range (3)")
    #expect(
      error { $0[42] = 0 } == "settings blob: keyword smoothing at byte 42 is out of range (0)")
    // Threshold 2.0 (0x4000000000000000) and NaN are refused.
    #expect(
      error {
        $0[63] = 0x40
        for i in 56..<63 { $0[i] = 0 }
      } == "settings blob: keyword threshold at byte 56 is out of range (-1)")
    #expect(
      error { for i in 56..<64 { $0[i] = 0xFF } }
        == "settings blob: keyword threshold at byte 56 is out of range (-1)")
    // A label longer than what is left.
    #expect(error { $0[88] = 200 } == "settings blob ends inside label at byte 89")
  }

  @Test func settingsForAnotherModelAreRefused() throws {
    let settings = Self.handMade()
    let model = [UInt8](repeating: 7, count: 1234)
    #expect(throws: ModelSettingsError.self) {
      try model.withUnsafeBytes { try settings.check(model: $0) }
    }
    let right = ModelSettings(
      config: settings.config, labels: settings.labels, modelByteCount: 1234,
      modelHash: model.withUnsafeBytes { ModelSettings.fnv1a($0) })
    try model.withUnsafeBytes { try right.check(model: $0) }
  }

  /// FNV-1a 32 against its published test vectors.
  @Test func fnv1aKnownValues() {
    #expect([UInt8]().withUnsafeBytes { ModelSettings.fnv1a($0) } == 0x811C_9DC5)
    #expect(Array("a".utf8).withUnsafeBytes { ModelSettings.fnv1a($0) } == 0xE40C_292C)
    #expect(Array("foobar".utf8).withUnsafeBytes { ModelSettings.fnv1a($0) } == 0xBF9C_F968)
  }
}
