// `kws validate --firmware`: one clip through the firmware under QEMU and through the
// host's Spotter, same samples, same chunks, records compared bit for bit.
//
// The firmware side: the clip decoded here (as `kws detect` decodes it) is written as
// s16le to a scratch folder; QEMU runs `spot clip.raw records.bin CHUNK [model
// settings]...` there (semihosting paths are relative to QEMU's folder) and the
// firmware writes its record stream (Sources/Spotter/SpotterRecord.swift). The host
// side: the same models and settings (packed from the manifests, or dumped from the
// ELF's flash) in a `Spotter`, fed the same chunks, recorded the same way.
import Foundation
import Inference
import Spotter

/// Why validation cannot start at all (as opposed to one clip failing).
public struct ValidationSetupError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The firmware ELF and the QEMU that runs it.
public struct QEMUFirmware: Sendable {
  public let elf: String
  public let qemu: String
  /// Seconds a QEMU run may take before it is stopped and reported.
  public let timeoutSeconds: Double

  /// Finds QEMU (`qemu` if given, else `$KWS_QEMU`, else `qemu-system-arm` on PATH)
  /// and checks the ELF exists.
  public init(elf: String, qemu: String? = nil, timeoutSeconds: Double = 300)
    throws(ValidationSetupError)
  {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: elf, isDirectory: &isDirectory), !isDirectory.boolValue else {
      throw ValidationSetupError("\(elf): no firmware ELF there (build it with `make firmware`)")
    }
    self.elf = URL(fileURLWithPath: elf).standardizedFileURL.path
    let name = qemu ?? ProcessInfo.processInfo.environment["KWS_QEMU"] ?? "qemu-system-arm"
    guard let found = QEMUFirmware.executable(name) else {
      throw ValidationSetupError(
        "\(name): QEMU not found (install Debian's qemu-system-arm, `make deps`, or give --qemu PATH)"
      )
    }
    self.qemu = found
    self.timeoutSeconds = timeoutSeconds
  }

  static func executable(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(
      separator: ":")
    {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// What a run printed and how it ended.
  public struct Run: Sendable {
    public var status: Int32
    public var console: String
    public var timedOut: Bool

    /// The firmware's `error:` lines, or the last lines of its console.
    public var summary: String {
      let lines = console.split(separator: "\n").map(String.init)
      let errors = lines.filter {
        $0.hasPrefix("error:") || $0.contains("trap") || $0.contains("fault")
      }
      return (errors.isEmpty ? Array(lines.suffix(3)) : errors).joined(separator: " / ")
    }
  }

  /// Runs the firmware with `arguments` (words without spaces), QEMU in `directory`.
  public func run(_ arguments: [String], in directory: URL) throws(ValidationSetupError) -> Run {
    // The firmware splits its command line at spaces, and word 0 is the kernel's
    // path: a link with a plain name keeps any spaces in the ELF's path out of it.
    let kernel = directory.appendingPathComponent("kws-firmware.elf")
    try? FileManager.default.removeItem(at: kernel)
    do {
      try FileManager.default.createSymbolicLink(atPath: kernel.path, withDestinationPath: elf)
    } catch {
      throw ValidationSetupError(
        "\(directory.path): cannot link the firmware there (\(error.localizedDescription))")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: qemu)
    process.currentDirectoryURL = directory
    // As Firmware/run-qemu.sh: semihosting console on stdout, no monitor or serial,
    // -icount shift=0 so that the firmware's instruction counts are deterministic.
    process.arguments = [
      "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
      "-chardev", "stdio,id=console,signal=off",
      "-semihosting-config", "enable=on,target=native,chardev=console", "-icount", "shift=0",
      "-kernel", "kws-firmware.elf", "-append", arguments.joined(separator: " "),
    ]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw ValidationSetupError("\(qemu): cannot start QEMU (\(error.localizedDescription))")
    }
    final class Flag: @unchecked Sendable {
      let lock = NSLock()
      var value = false
    }
    let timedOut = Flag()
    let timer = DispatchWorkItem { [process] in
      timedOut.lock.lock()
      timedOut.value = true
      timedOut.lock.unlock()
      process.terminate()
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: timer)
    let console = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    timer.cancel()
    timedOut.lock.lock()
    defer { timedOut.lock.unlock() }
    return Run(
      status: process.terminationStatus, console: String(decoding: console, as: UTF8.self),
      timedOut: timedOut.value)
  }

  /// The model and settings linked into the ELF's flash, as the firmware reads them
  /// (its `dump` command), so validation runs exactly what is in flash.
  public func linkedModel(scratch: URL) throws(ValidationSetupError) -> PackedModel {
    let run = try self.run(["dump", "linked.tflite", "linked.kwss"], in: scratch)
    guard run.status == 0, !run.timedOut else {
      throw ValidationSetupError(
        "\(elf): the firmware could not dump its linked model (exit \(run.status)\(run.timedOut ? ", timed out" : "")): \(run.summary)"
      )
    }
    guard
      let model = FileManager.default.contents(
        atPath: scratch.appendingPathComponent("linked.tflite").path),
      let settings = FileManager.default.contents(
        atPath: scratch.appendingPathComponent("linked.kwss").path)
    else { throw ValidationSetupError("\(elf): the firmware's dump wrote no files") }
    let name =
      run.console.split(separator: "\n").first { $0.hasPrefix("model: ") }.map {
        String($0.dropFirst(7))
      } ?? "linked"
    return PackedModel(name: name, model: [UInt8](model), settings: [UInt8](settings))
  }
}

/// The outcome for one clip.
public struct ClipValidation: Sendable {
  public enum Outcome: Sendable {
    case identical
    case different(RecordDifference)
    /// The clip could not be read, or the firmware or host failed on it.
    case failed(String)
  }

  public var clip: String
  public var samples = 0
  public var frames = 0
  public var invocations = 0
  public var detections = 0
  public var outcome: Outcome

  public var isIdentical: Bool {
    if case .identical = outcome { return true }
    return false
  }

  /// `clip: 148 frames, 29 invocations, 1 detection: identical` (or the difference).
  public var line: String {
    let counts =
      "\(frames) frames, \(invocations) invocations, \(detections) detection\(detections == 1 ? "" : "s")"
    switch outcome {
    case .identical: return "\(clip): \(counts): identical"
    case .different(let d): return "\(clip): \(counts) (host): DIFFERENT at \(d)"
    case .failed(let why): return "\(clip): FAILED: \(why)"
    }
  }
}

/// Validates clips against one firmware with one set of models.
public struct FirmwareValidator: Sendable {
  /// Where the host's models and settings come from.
  public enum Models: Sendable {
    /// What the ELF has in flash (dumped from it); the host runs the decoded settings.
    case linked(PackedModel)
    /// Manifests: the host runs them as `kws detect` does; the firmware is given the
    /// packed bytes at run time (or `firmwareSettings` instead, to prove a difference
    /// is caught).
    case manifests([ModelManifest], packed: [PackedModel])
  }

  public let firmware: QEMUFirmware
  public let models: Models
  /// Samples per `process` call, on both sides (160 = 10 ms).
  public let chunk: Int
  /// Optional settings blobs that replace the packed ones on the firmware side only.
  public let firmwareSettings: [[UInt8]]

  public init(
    firmware: QEMUFirmware, models: Models, chunk: Int = 160, firmwareSettings: [[UInt8]] = []
  ) {
    self.firmware = firmware
    self.models = models
    self.chunk = chunk
    self.firmwareSettings = firmwareSettings
  }

  var packed: [PackedModel] {
    switch models {
    case .linked(let p): return [p]
    case .manifests(_, let p): return p
    }
  }

  /// Decodes `clip`, runs both sides, compares. Never throws: every problem is the
  /// clip's outcome.
  public func validate(clip: String) -> ClipValidation {
    var result = ClipValidation(clip: clip, outcome: .identical)
    let samples: [Int16]
    do {
      let reader = try AudioFileReader(path: clip)
      var all: [Int16] = []
      while let block = try reader.nextBlock() { all += block }
      samples = all
    } catch {
      result.outcome = .failed(error.description)
      return result
    }
    result.samples = samples.count

    // Host first: a model that the host cannot run is not the firmware's fault.
    let host: SpotterRecordStream
    let outputTypes: [SpotterRecordStream.OutputType]
    do {
      (host, outputTypes) = try hostRun(samples)
    } catch {
      result.outcome = .failed("host: \(error)")
      return result
    }
    result.frames = host.count(.features)
    result.invocations = host.count(.invocation)
    result.detections = host.count(.detection)

    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "kws-validate-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let firmwareRecords: [UInt8]
    do {
      try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
      let raw = samples.withUnsafeBytes { Data($0) }
      try raw.write(to: scratch.appendingPathComponent("clip.raw"))
      var arguments = ["spot", "clip.raw", "records.bin", "\(chunk)"]
      if case .manifests = models {
        for (i, p) in packed.enumerated() {
          try Data(p.model).write(to: scratch.appendingPathComponent("m\(i).tflite"))
          let settings = i < firmwareSettings.count ? firmwareSettings[i] : p.settings
          try Data(settings).write(to: scratch.appendingPathComponent("m\(i).kwss"))
          arguments += ["m\(i).tflite", "m\(i).kwss"]
        }
      }
      let run = try firmware.run(arguments, in: scratch)
      if run.timedOut {
        result.outcome = .failed("QEMU timed out after \(Int(firmware.timeoutSeconds)) s")
        return result
      }
      guard run.status == 0 else {
        result.outcome = .failed("firmware exit \(run.status): \(run.summary)")
        return result
      }
      guard
        let bytes = FileManager.default.contents(
          atPath: scratch.appendingPathComponent("records.bin").path)
      else {
        result.outcome = .failed("the firmware wrote no record stream")
        return result
      }
      firmwareRecords = [UInt8](bytes)
    } catch let error as ValidationSetupError {
      result.outcome = .failed(error.description)
      return result
    } catch {
      result.outcome = .failed("scratch folder \(scratch.path): \(error.localizedDescription)")
      return result
    }
    let firmwareStream: SpotterRecordStream
    do {
      firmwareStream = try SpotterRecordStream(bytes: firmwareRecords)
    } catch {
      result.outcome = .failed("firmware \(error)")
      return result
    }
    if let difference = SpotterRecordStream.firstDifference(
      firmware: firmwareStream, host: host, outputTypes: outputTypes)
    {
      result.outcome = .different(difference)
    }
    return result
  }

  struct HostFailure: Error, CustomStringConvertible {
    let description: String
  }

  /// The host's record stream for `samples`, and each model's output type.
  func hostRun(_ samples: [Int16]) throws -> (SpotterRecordStream, [SpotterRecordStream.OutputType])
  {
    let spotter: Spotter
    var runners: [ModelRunner] = []
    switch models {
    case .manifests(let manifests, _):
      // Exactly `kws detect`'s path.
      let session = try SpotterSession(manifests: manifests)
      spotter = session.spotter
      runners = session.runners
    case .linked(let p):
      let settings = try ModelSettings(blob: p.settings)
      let runner = try ModelRunner(try ModelFile(bytes: p.model, path: "linked model"))
      try settings.check(model: runner.file.model.bytes)
      spotter = try Spotter(models: [(runner.interpreter, settings.config)])
      runners = [runner]
    }
    var writer = SpotterRecordWriter()
    try samples.withUnsafeBufferPointer { all in
      var start = 0
      while start < all.count {
        let end = min(start + chunk, all.count)
        try spotter.process(UnsafeBufferPointer(rebasing: all[start..<end])) { writer.append($0) }
        start = end
      }
    }
    writer.finish(samples: samples.count)
    let types = runners.map {
      $0.interpreter.output(0).type == .int8 ? SpotterRecordStream.OutputType.int8 : .uint8
    }
    withExtendedLifetime(runners) {}
    return (try SpotterRecordStream(bytes: writer.bytes), types)
  }
}
