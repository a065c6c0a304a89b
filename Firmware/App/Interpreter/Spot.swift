// `spot <clip.raw> [<records.bin>|- [<chunk> [<model.tflite> <settings.kwss>]...]]`:
// the core `Spotter` (Sources/Spotter) on the microcontroller, exactly as `kws detect`
// drives it on Linux: samples -> front end -> int8 features -> each model at its
// cadence -> smoothing and thresholds -> detections.
//
// The models are the one linked in flash with its settings blob (App/model.S; the
// default), or up to `maxModels` .tflite + settings pairs read through semihosting at
// start-up. Settings come from the blob in every case (Sources/Spotter/
// ModelSettings.swift), never from code. With a records path the run writes the
// record stream (Sources/Spotter/SpotterRecord.swift) that `kws validate` compares
// with the host's: every feature frame, every output tensor, every detection.
//
// Everything is allocated before `kws_heap_freeze()`; the stream allocates nothing
// (the report says how many allocations came after, and the exit status is 3 if any).
import CSupport
import Frontend
import Inference
import Spotter

enum Spot {
  static let maxModels = 3
  static let maxDetections = 16
  /// Record bytes gathered before each semihosting write.
  static let recordBufferBytes = 4096

  /// One model as loaded: where its bytes live and what it was built into.
  struct Loaded {
    var modelBytes: UnsafeRawBufferPointer
    var settings: ModelSettings
    var interpreter: Interpreter
  }

  static func run(_ arguments: Arguments) throws(SemihostingError) -> CInt {
    let clipPath = arguments[1]
    let recordsPath: UnsafePointer<CChar>? =
      arguments.count >= 3 && !arguments.matches(2, "-") ? arguments[2] : nil
    var chunk = Features.defaultChunk
    if arguments.count >= 4 {
      guard let n = arguments.integer(3), n > 0 else {
        Console.write("error: chunk must be a positive number of samples\n")
        return ExitStatus.usage
      }
      chunk = n
    }
    let pairs = arguments.count > 4 ? arguments.count - 4 : 0
    guard pairs % 2 == 0, pairs / 2 <= maxModels else {
      Console.write("error: give models as <model.tflite> <settings.kwss> pairs, at most 3\n")
      return ExitStatus.usage
    }

    // ---- start-up: models, settings, interpreters, spotter, buffers -----------------
    let heapAtStart = kws_heap_stats()
    var loaded: [Loaded] = []
    if pairs == 0 {
      let modelCount = Int(kws_model_byte_count())
      guard modelCount > 0 else {
        Console.write(
          "error: no model linked; build with MODEL=path/to/manifest.json or give one\n")
        return ExitStatus.usage
      }
      let model = UnsafeRawBufferPointer(start: kws_model_bytes(), count: modelCount)
      let blob = UnsafeRawBufferPointer(
        start: kws_settings_bytes(), count: Int(kws_settings_byte_count()))
      guard let one = load(model: model, settings: blob, name: "linked model") else {
        return ExitStatus.ioError
      }
      loaded.append(one)
    } else {
      for m in 0..<pairs / 2 {
        let model = try readAligned(arguments[4 + 2 * m])
        let blob = try readAligned(arguments[5 + 2 * m])
        guard let one = load(model: model, settings: blob, name: arguments[4 + 2 * m]) else {
          return ExitStatus.ioError
        }
        loaded.append(one)
      }
    }
    let heapAfterModels = kws_heap_stats()
    let spotter: Spotter
    do throws(SpotterError) {
      var models: [(Interpreter, SpotterModelConfig)] = []
      for one in loaded { models.append((one.interpreter, one.settings.config)) }
      spotter = try Spotter(models: models)
    } catch {
      return fail("spotter: ", error.description)
    }
    let heapAfterSpotter = kws_heap_stats()

    var clip = try Semihosting.File(path: clipPath, mode: .readBinary)
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: try clip.length() / 2)
    try clip.read(into: UnsafeMutableRawBufferPointer(samples))
    clip.close()
    var records: RecordFile? = nil
    if let recordsPath { records = try RecordFile(path: recordsPath, capacity: recordBufferBytes) }
    let detections = UnsafeMutableBufferPointer<Detection>.allocate(capacity: maxDetections)
    kws_heap_freeze()

    // ---- the measured stream, `chunk` samples at a time -----------------------------
    var frames = 0
    var invocations = 0
    var detectionCount = 0
    var modelWork: UInt64 = 0
    var featuresReady: UInt64 = 0
    var failure: SpotterError? = nil
    var writeFailure: SemihostingError? = nil
    Measure.start()
    var start = 0
    while start < samples.count && failure == nil {
      let end = min(start + chunk, samples.count)
      do throws(SpotterError) {
        try spotter.process(UnsafeBufferPointer(rebasing: samples[start..<end])) { event in
          switch event {
          case .features:
            frames += 1
          case .invocation:
            // What follows the last frame until here is the model's: quantizing
            // its input and invoking.
            modelWork += Board.counter() - featuresReady
            invocations += 1
          case .detection(let d):
            if detectionCount < maxDetections { detections[detectionCount] = d }
            detectionCount += 1
          }
          if records != nil {
            do throws(SemihostingError) {
              try records!.append(event)
            } catch {
              writeFailure = error
            }
          }
          // The next invocation's work starts after this event and its record.
          featuresReady = Board.counter()
        }
      } catch {
        failure = error
      }
      start = end
    }
    let work = Measure.stop()

    // ---- results ---------------------------------------------------------------------
    if let failure { return fail("spotter: ", failure.description) }
    if let writeFailure { throw writeFailure }
    if records != nil {
      try records!.finish(samples: samples.count)
    }
    Console.write("clip: ")
    Console.write(cString: clipPath)
    Console.write(", ")
    Console.write(samples.count)
    Console.write(" samples in chunks of ")
    Console.write(chunk)
    Console.write("\n")
    for (i, one) in loaded.enumerated() {
      Console.write("model ")
      Console.write(i)
      Console.write(": ")
      Console.write(pairs == 0 ? "linked, " : "loaded, ")
      Console.write(one.modelBytes.count)
      Console.write(pairs == 0 ? " bytes in flash" : " bytes in RAM")
      Console.write(", settings ")
      Console.write(pairs == 0 ? Int(kws_settings_byte_count()) : 0)
      Console.write(" bytes, arena ")
      Console.write(one.interpreter.arenaBytesRequired)
      Console.write(" bytes, ")
      Console.write(one.settings.config.kind == .classifier ? "classifier" : "streaming")
      Console.write(", ")
      Console.write(one.settings.labels.count)
      Console.write(" labels\n")
    }
    Console.write("start-up heap kept: models and interpreters ")
    Console.write(Int(heapAfterModels.liveBytes - heapAtStart.liveBytes))
    Console.write(" bytes (arenas included), spotter with front ends ")
    Console.write(Int(heapAfterSpotter.liveBytes - heapAfterModels.liveBytes))
    Console.write(" bytes\nframes: ")
    Console.write(frames)
    Console.write("\ninvocations: ")
    Console.write(invocations)
    Console.write("\ndetections: ")
    Console.write(detectionCount)
    for i in 0..<min(detectionCount, maxDetections) {
      let d = detections[i]
      Console.write(i == 0 ? " (" : ", ")
      writeLabel(loaded[d.model].settings.labels, d.label)
      Console.write(" at ")
      Console.write(d.endSample / 16)  // end of the evidence, ms at 16 kHz
      Console.write(" ms")
      if i == min(detectionCount, maxDetections) - 1 { Console.write(")") }
    }
    Console.write("\n")
    if records != nil {
      Console.write("records: ")
      Console.write(records!.bytesWritten)
      Console.write(" bytes (record writing is in the counts below)\n")
    }
    Report.work("total", work, audioSamples: samples.count)
    Report.work("front end", work - modelWork, audioSamples: samples.count)
    Report.work("model", modelWork, audioSamples: samples.count)
    Report.average(
      "front end per frame", work - modelWork, per: frames,
      note: " (records included when written)")
    Report.average(
      "model per invocation", modelWork, per: invocations,
      note: " (quantizing the input included)")
    return Report.resources() ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }

  /// Decodes the settings, checks they belong to the model, builds the interpreter.
  static func load(
    model: UnsafeRawBufferPointer, settings blob: UnsafeRawBufferPointer, name: UnsafePointer<CChar>
  )
    -> Loaded?
  {
    let settings: ModelSettings
    do throws(ModelSettingsError) {
      settings = try ModelSettings(bytes: blob)
      try settings.check(model: model)
    } catch {
      report(name, error.description)
      return nil
    }
    let parsed: Model
    do throws(ModelError) {
      parsed = try Model(bytes: model)
    } catch {
      report(name, error.description)
      return nil
    }
    do throws(InterpreterError) {
      let interpreter = try Infer.interpreter(for: parsed)
      return Loaded(modelBytes: model, settings: settings, interpreter: interpreter)
    } catch {
      report(name, error.description)
      return nil
    }
  }

  /// A whole file in RAM, 16-byte aligned (as the model's buffers need).
  static func readAligned(_ path: UnsafePointer<CChar>) throws(SemihostingError)
    -> UnsafeRawBufferPointer
  {
    var file = try Semihosting.File(path: path, mode: .readBinary)
    let count = try file.length()
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
    let used = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count])
    try file.read(into: used)
    file.close()
    return UnsafeRawBufferPointer(used)
  }

  static func writeLabel(_ labels: [[UInt8]], _ index: Int) {
    guard index < labels.count else {
      Console.write(index)
      return
    }
    for byte in labels[index] { putchar(CInt(byte)) }
  }

  private static func report(_ name: UnsafePointer<CChar>, _ message: String) {
    Console.write("error: ")
    Console.write(cString: name)
    Console.write(": ")
    Console.write(message)
    Console.write("\n")
  }

  private static func fail(_ stage: StaticString, _ message: String) -> CInt {
    Console.write("error: ")
    Console.write(stage)
    Console.write(message)
    Console.write("\n")
    return ExitStatus.ioError
  }
}

/// The record stream going to a host file: records gather in a buffer allocated at
/// start-up and go out one semihosting write per `capacity` bytes.
struct RecordFile {
  private var file: Semihosting.File
  private let buffer: UnsafeMutableRawBufferPointer
  private var used = 0
  private(set) var bytesWritten = 0
  private var records = 0

  init(path: UnsafePointer<CChar>, capacity: Int) throws(SemihostingError) {
    file = try Semihosting.File(path: path, mode: .writeBinary)
    buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    used = SpotterRecord.encodeHeader(into: buffer)
  }

  mutating func append(_ event: SpotterEvent) throws(SemihostingError) {
    let n = SpotterRecord.byteCount(of: event)
    if buffer.count - used < n { try flush() }
    // A record larger than the whole buffer cannot happen with these models (the
    // largest is 4 + 40 x 4 bytes); refuse it rather than overflow.
    guard buffer.count - used >= n else {
      throw .shortWrite(path: file.path, offset: bytesWritten, missing: n)
    }
    used += SpotterRecord.encode(
      event, into: UnsafeMutableRawBufferPointer(rebasing: buffer[used...]))
    records += 1
  }

  mutating func finish(samples: Int) throws(SemihostingError) {
    let n = SpotterRecord.recordHeaderBytes + SpotterRecord.endPayloadBytes
    if buffer.count - used < n { try flush() }
    used += SpotterRecord.encodeEnd(
      samples: samples, records: records,
      into: UnsafeMutableRawBufferPointer(rebasing: buffer[used...]))
    try flush()
    file.close()
  }

  private mutating func flush() throws(SemihostingError) {
    try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
    bytesWritten += used
    used = 0
  }
}
