// `kws validate --firmware ELF [--model M.json]... CLIP...`: the firmware under QEMU
// and the host on the same samples, compared bit for bit (features, every model
// output, every detection). Logic in Host/FirmwareValidation.swift.
import ArgumentParser
import Foundation
import Host

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract:
      "Run clips through the firmware under QEMU and through the host; compare every record bit for bit.",
    discussion: """
      Each clip is decoded as `kws detect` decodes it (any format libsndfile reads,
      resampled to 16 kHz mono) and streamed in chunks of --chunk samples through the
      firmware (qemu-system-arm -M mps2-an386, semihosting) and through the host's
      Spotter. Both write the same record stream: every feature frame (the front end's
      codes), every invocation's output tensor bytes, every detection. One line per
      clip: counts and "identical", or the first difference (record kind, frame or
      invocation number, byte, firmware vs host value). A clip that cannot be read or
      a QEMU run that fails is reported and the batch goes on.
      Exit status: 0 when every clip is identical, 1 otherwise.

      Without --model, the model and settings linked in the ELF's flash are validated
      (read back from the firmware). With --model, the firmware loads each model and
      its packed settings at start-up instead, and the host runs the manifests as
      `kws detect` does.

      Examples:
        kws validate --firmware Firmware/build/kws-firmware.elf Audio/samples/keywords.wav
        kws validate --firmware kws-firmware.elf --model okay_nabu.json --jobs 2 *.wav
      """)

  @Option(help: "The firmware ELF (make firmware builds Firmware/build/kws-firmware.elf).")
  var firmware: String

  @OptionGroup var models: ModelOptions

  @Option(help: "QEMU parallel runs (QEMU is single-threaded).")
  var jobs: Int = 1

  @Option(help: "Samples per chunk fed to the spotter, on both sides.")
  var chunk: Int = 160

  @Option(help: "Seconds one QEMU run may take.")
  var timeout: Double = 300

  @Option(help: "qemu-system-arm to use (default: $KWS_QEMU, else PATH).")
  var qemu: String?

  @Flag(help: "One JSON object per clip, then one with the totals.")
  var json = false

  @Option(
    name: .customLong("firmware-settings"),
    help: ArgumentHelp(
      "Give the firmware this settings blob for the N-th --model instead of the packed one (to prove a difference is caught).",
      visibility: .hidden))
  var firmwareSettings: [String] = []

  @Argument(help: "Audio clips.")
  var clips: [String]

  func validate() throws {
    guard !clips.isEmpty else { throw ValidationError("give at least one clip") }
    guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    guard chunk >= 1 else { throw ValidationError("--chunk must be at least 1 sample") }
    guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    // The firmware's `spot` takes at most three models (Firmware/App/Interpreter/Spot.swift).
    guard models.model.count <= 3 else {
      throw ValidationError("the firmware runs at most 3 models at once")
    }
    if models.model.isEmpty && (models.threshold != nil || models.frontend != nil || models.labels != nil) {
      throw ValidationError(
        "--threshold, --frontend and --labels apply to --model; the linked model runs with its settings from flash")
    }
    if firmwareSettings.count > models.model.count {
      throw ValidationError(
        "--firmware-settings replaces the blob of a --model: give at most one per --model")
    }
  }

  func run() throws {
    let target: QEMUFirmware
    do {
      target = try QEMUFirmware(elf: firmware, qemu: qemu, timeoutSeconds: timeout)
    } catch {
      throw CommandFailure(error.description)
    }
    let validatorModels: FirmwareValidator.Models
    if models.model.isEmpty {
      let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "kws-validate-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: scratch) }
      do {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        validatorModels = .linked(try target.linkedModel(scratch: scratch))
      } catch let error as ValidationSetupError {
        throw CommandFailure(error.description)
      }
    } else {
      let manifests = try models.manifests()
      var packed: [PackedModel] = []
      for manifest in manifests {
        do {
          packed.append(try PackedModel(manifest: manifest))
        } catch {
          throw CommandFailure(error.description)
        }
      }
      validatorModels = .manifests(manifests, packed: packed)
    }
    var overrides: [[UInt8]] = []
    for path in firmwareSettings {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure("\(path): cannot read the settings blob")
      }
      overrides.append([UInt8](data))
    }
    let validator = FirmwareValidator(
      firmware: target, models: validatorModels, chunk: chunk, firmwareSettings: overrides)
    let results = EvalParallel.map(count: clips.count, jobs: jobs, makeWorker: { validator }) {
      v, i in
      v.validate(clip: clips[i])
    }
    let identical = results.filter(\.isIdentical).count
    let failed = results.filter {
      if case .failed = $0.outcome { return true } else { return false }
    }.count
    let different = results.count - identical - failed
    for r in results {
      if json {
        print(Self.json(r))
      } else {
        print(r.line)
      }
    }
    let modelNames: String
    switch validatorModels {
    case .linked(let p): modelNames = "\(p.name) (linked)"
    case .manifests(let m, _): modelNames = m.map(\.name).joined(separator: ", ")
    }
    if json {
      print(
        "{\"total\":{\"clips\":\(results.count),\"identical\":\(identical),\"different\":\(different),"
          + "\"failed\":\(failed),\"models\":\(jsonString(modelNames))}}")
    } else {
      print(
        "validate: \(results.count) clip\(results.count == 1 ? "" : "s"), \(identical) identical, "
          + "\(different) different, \(failed) failed (\(modelNames))")
    }
    if identical != results.count { throw ExitCode(1) }
  }

  static func json(_ r: ClipValidation) -> String {
    var fields = [
      "\"clip\":\(jsonString(r.clip))", "\"samples\":\(r.samples)", "\"frames\":\(r.frames)",
      "\"invocations\":\(r.invocations)", "\"detections\":\(r.detections)",
    ]
    switch r.outcome {
    case .identical:
      fields.append("\"status\":\"identical\"")
    case .different(let d):
      fields.append("\"status\":\"different\"")
      fields.append(
        "\"difference\":{\"record\":\(d.record),\"kind\":\"\(d.kind)\",\"source\":\(d.source),\"index\":\(d.index),"
          + "\"byte\":\(d.byte.map(String.init) ?? "null"),\"detail\":\(jsonString(d.detail))}")
    case .failed(let why):
      fields.append("\"status\":\"failed\"")
      fields.append("\"error\":\(jsonString(why))")
    }
    return "{" + fields.joined(separator: ",") + "}"
  }
}
