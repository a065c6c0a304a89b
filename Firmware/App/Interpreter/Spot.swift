// `spot <clip.raw> [scores.bin]`: the core `Spotter` (Sources/Spotter) on the
// microcontroller, exactly as `kws detect` drives it on Linux: samples -> front end
// -> int8 features -> the linked microWakeWord model every `stride` frames ->
// smoothing and threshold -> detections. Writes one uint8 score per invocation so
// the host can compare them with the live TFLM interpreter, and reports where the
// instructions went (front end vs model).
//
// Detection settings default to okay_nabu's manifest (cutoff 0.85, mean of the last
// 5 scores, 1 s refractory), the model `make` links unless MODEL=... says otherwise.
import CSupport
import Frontend
import Inference
import Spotter

enum Spot {
  static let detection = DetectionSettings(
    threshold: 0.85, smoothingWindow: 5, refractoryMs: 1000)
  static let maxDetections = 16

  static func run(
    clipPath: UnsafePointer<CChar>, scoresPath: UnsafePointer<CChar>?
  ) throws(SemihostingError) -> CInt {
    // ---- start-up: model, interpreter, spotter, buffers -----------------------------
    let modelCount = Int(kws_model_byte_count())
    guard modelCount > 0 else {
      Console.write(
        "error: no model linked; build with MODEL=path/to/model.tflite (or make venv)\n")
      return ExitStatus.usage
    }
    let modelBytes = UnsafeRawBufferPointer(start: kws_model_bytes(), count: modelCount)
    let heapAtStart = kws_heap_stats()
    let model: Model
    do throws(ModelError) {
      model = try Model(bytes: modelBytes)
    } catch {
      return fail("model: ", error.description)
    }
    let interpreter: Interpreter
    do throws(InterpreterError) {
      let arena = UnsafeMutableRawBufferPointer.allocate(
        byteCount: try Interpreter.arenaBytesRequired(for: model),
        alignment: Interpreter.arenaAlignment)
      interpreter = try Interpreter(model: model, arena: arena)
    } catch {
      return fail("interpreter: ", error.description)
    }
    let heapAfterInterpreter = kws_heap_stats()
    let stride = interpreter.input(0).shape[1]
    let spotter: Spotter
    do throws(SpotterError) {
      spotter = try Spotter(models: [
        (
          interpreter,
          SpotterModelConfig(
            kind: .streaming, frontend: .microfrontend, keywords: [(label: 0, settings: detection)])
        )
      ])
    } catch {
      return fail("spotter: ", error.description)
    }
    let heapAfterSpotter = kws_heap_stats()

    var clip = try Semihosting.File(path: clipPath, mode: .readBinary)
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: try clip.length() / 2)
    try clip.read(into: UnsafeMutableRawBufferPointer(samples))
    clip.close()
    let scores = UnsafeMutableBufferPointer<UInt8>.allocate(
      capacity: samples.count / (160 * max(stride, 1)) + 1)
    let detectionEnds = UnsafeMutableBufferPointer<Int>.allocate(capacity: maxDetections)
    kws_heap_freeze()

    // ---- the measured stream, 10 ms at a time ----------------------------------------
    var invocations = 0
    var detectionCount = 0
    var modelWork: UInt64 = 0
    var featuresReady: UInt64 = 0
    var failure: SpotterError? = nil
    Measure.start()
    var start = 0
    while start < samples.count && failure == nil {
      let end = min(start + Features.defaultChunk, samples.count)
      do throws(SpotterError) {
        try spotter.process(UnsafeBufferPointer(rebasing: samples[start..<end])) { event in
          switch event {
          case .features:
            // A frame is ready; what follows until .invocation is the model's:
            // quantizing the frame and, every `stride` frames, invoking.
            featuresReady = Board.counter()
          case .invocation(_, let output):
            modelWork += Board.counter() - featuresReady
            if invocations < scores.count { scores[invocations] = output.load(as: UInt8.self) }
            invocations += 1
          case .detection(let d):
            if detectionCount < maxDetections { detectionEnds[detectionCount] = d.endSample }
            detectionCount += 1
          }
        }
      } catch {
        failure = error
      }
      start = end
    }
    let work = Measure.stop()

    // ---- results ---------------------------------------------------------------------
    if let failure {
      return fail("spotter: ", failure.description)
    }
    let scoreCount = min(invocations, scores.count)
    if let scoresPath {
      var out = try Semihosting.File(path: scoresPath, mode: .writeBinary)
      try out.write(
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scores)[0..<scoreCount]))
      out.close()
    }
    var peak: UInt8 = 0
    for i in 0..<scoreCount { peak = max(peak, scores[i]) }
    Console.write("clip: ")
    Console.write(cString: clipPath)
    Console.write(", ")
    Console.write(samples.count)
    Console.write(" samples\nmodel: ")
    Console.write(modelCount)
    Console.write(" bytes in flash, arena ")
    Console.write(interpreter.arenaBytesRequired)
    Console.write(" bytes, stride ")
    Console.write(stride)
    Console.write(" frames\nstart-up heap kept: interpreter ")
    Console.write(Int(heapAfterInterpreter.liveBytes - heapAtStart.liveBytes))
    Console.write(" bytes (arena included; ")
    Console.write(Int(heapAfterInterpreter.bytes - heapAtStart.bytes))
    Console.write(" consumed while preparing), spotter with front end ")
    Console.write(Int(heapAfterSpotter.liveBytes - heapAfterInterpreter.liveBytes))
    Console.write(" bytes\ninvocations: ")
    Console.write(invocations)
    Console.write(", peak score ")
    Console.write(Int(peak))
    Console.write("/255\ndetections: ")
    Console.write(detectionCount)
    for i in 0..<min(detectionCount, maxDetections) {
      Console.write(i == 0 ? " at " : ", ")
      Console.write(detectionEnds[i] / 16)  // end of the evidence, ms at 16 kHz
      Console.write(" ms")
    }
    Console.write("\n")
    Report.work("total", work, audioSamples: samples.count)
    Report.work("model", modelWork, audioSamples: samples.count)
    if invocations > 0 {
      Console.write("model per invocation: ")
      Console.write(Int64(modelWork / UInt64(invocations)))
      Console.write(" ")
      Console.write(Board.counterUnit)
      Console.write(" (quantizing ")
      Console.write(stride)
      Console.write(" frames included)\n")
    }
    return Report.resources() ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }

  private static func fail(_ stage: StaticString, _ message: String) -> CInt {
    Console.write("error: ")
    Console.write(stage)
    Console.write(message)
    Console.write("\n")
    return ExitStatus.ioError
  }
}
