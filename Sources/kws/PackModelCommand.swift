// `kws pack-model MANIFEST --tflite OUT --settings OUT`: a model and its settings
// blob (format: Sources/Spotter/ModelSettings.swift) for the firmware to link. The
// Firmware Makefile calls it; `--show` prints what a blob holds.
import ArgumentParser
import Foundation
import Host
import Spotter

struct PackModelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pack-model",
    abstract: "Pack a model manifest for the firmware: the .tflite and its binary settings blob.",
    discussion: """
      The settings are resolved against the model exactly as `kws detect` resolves
      them (kind, classifier stride, input quantization, each keyword's threshold,
      smoothing, refractory period), so the firmware spots with the same settings.
      Files are only rewritten when their bytes change.

      Examples:
        kws pack-model Models/kws-speech-commands.json --tflite build/model.tflite --settings build/model.kwss
        kws pack-model --show build/model.kwss
      """)

  @Argument(
    help: "A model manifest (.json, kws v1 or microWakeWord v2); with --show, a settings blob.")
  var input: String

  @Option(help: "Write the model's .tflite bytes here.")
  var tflite: String?

  @Option(help: "Write the settings blob here.")
  var settings: String?

  @Flag(help: "Decode a settings blob and print it.")
  var show = false

  func validate() throws {
    if show {
      guard tflite == nil && settings == nil else {
        throw ValidationError("--show only reads a blob")
      }
    } else {
      guard tflite != nil || settings != nil else {
        throw ValidationError("give --tflite and/or --settings")
      }
    }
  }

  func run() throws {
    if show {
      guard let data = FileManager.default.contents(atPath: input) else {
        throw CommandFailure("\(input): cannot read the settings blob")
      }
      let decoded: ModelSettings
      do { decoded = try ModelSettings(blob: [UInt8](data)) } catch {
        throw CommandFailure("\(input): \(error)")
      }
      print(Self.describe(decoded))
      return
    }
    let manifest: ModelManifest
    do { manifest = try ModelManifest.load(path: input) } catch {
      throw CommandFailure(error.description)
    }
    let packed: PackedModel
    do { packed = try PackedModel(manifest: manifest) } catch {
      throw CommandFailure(error.description)
    }
    if let tflite { try Self.write(packed.model, to: tflite) }
    if let settings { try Self.write(packed.settings, to: settings) }
  }

  static func write(_ bytes: [UInt8], to path: String) throws {
    if let old = FileManager.default.contents(atPath: path), [UInt8](old) == bytes { return }
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
    } catch {
      throw CommandFailure("\(path): cannot write (\(error.localizedDescription))")
    }
  }

  static func describe(_ s: ModelSettings) -> String {
    let c = s.config
    var lines = [
      "model: \(s.modelByteCount) bytes, FNV-1a \(String(format: "0x%08x", s.modelHash))",
      "kind: \(c.kind.rawValue), front end: \(c.frontend.name), stride: \(c.strideFrames) frames"
        + (c.clipPeakNormalization ? ", clip-peak normalization" : ""),
      "input: "
        + (c.inputScale.map { "scale \($0), zero point \(c.inputZeroPoint ?? 0)" }
          ?? "the model's own quantization"),
      "labels: \(s.labelNames.joined(separator: ", "))",
    ]
    for k in c.keywords {
      let d = k.settings
      lines.append(
        "keyword \(s.labelNames[k.label]): threshold \(d.threshold), smoothing \(d.smoothingWindow), "
          + "refractory \(d.refractoryMs) ms, minimum count \(d.minimumCount)")
    }
    return lines.joined(separator: "\n")
  }
}
