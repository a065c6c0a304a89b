// `spot <clip.raw> [scores.bin]`: the whole keyword spotter on the microcontroller.
// Samples -> MicroFrontend -> int8 features -> the linked microWakeWord model (every
// `stride` frames) -> KeywordDetector. Writes one uint8 score per invocation so the
// host can compare them with the live TFLM interpreter, prints the detections and
// where the instructions went (front end vs inference).
//
// Detection settings default to okay_nabu's manifest (cutoff 0.85, mean of the last
// 5 scores, 1 s refractory), the model `make` links unless MODEL=... says otherwise.
import CSupport
import Frontend
import Inference
import Spotter

enum Spot {
  static let detection = DetectionSettings(threshold: 0.85, smoothingWindow: 5, refractoryMs: 1000)
  static let featureCount = 40
  static let maxDetections = 16

  /// microWakeWord's input: the feature `v` scaled by 1/25.6, quantized with scale
  /// 26/255 (float32 0.101960786) and zero point -128. In integers, floor division,
  /// equal to pymicro-wakeword's float rounding for every v in 0...1199 (see
  /// REFERENCE.md), and clamped, e.g. 0 -> -128, 100 -> -90, 670 -> 129 -> 127.
  @inline(__always) static func quantize(_ v: UInt16) -> Int8 {
    let q = (2550 * Int32(v) + 3328) / 6656 - 128
    return Int8(clamping: q)
  }

  static func run(clipPath: UnsafePointer<CChar>, scoresPath: UnsafePointer<CChar>?)
    throws(SemihostingError) -> CInt
  {
    // ---- start-up: model, interpreter, front end, buffers ---------------------------
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
    let input = interpreter.input(0)
    let output = interpreter.output(0)
    guard input.type == .int8, input.shape.rank == 3, input.shape[2] == featureCount,
      output.type == .uint8, output.shape.elementCount == 1
    else {
      return fail(
        "model: ", "expected an int8 [1, stride, 40] input and one uint8 output (microWakeWord)")
    }
    let stride = input.shape[1]
    let inputRows = input.data.assumingMemoryBound(to: Int8.self)

    var frontend: MicroFrontend
    do {
      frontend = try MicroFrontend(config: .microWakeWord)
    } catch {
      return fail("front end: ", error.description)
    }
    let heapAfterFrontend = kws_heap_stats()
    var detector = KeywordDetector(
      settings: detection, scoreScale: Double(output.scale), scoreZeroPoint: output.zeroPoint,
      invocationMs: Double(stride * 10))

    var clip = try Semihosting.File(path: clipPath, mode: .readBinary)
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: try clip.length() / 2)
    try clip.read(into: UnsafeMutableRawBufferPointer(samples))
    clip.close()
    let scores = UnsafeMutableBufferPointer<UInt8>.allocate(
      capacity: samples.count / (160 * stride) + 1)
    let detections = UnsafeMutableBufferPointer<Int>.allocate(capacity: maxDetections)
    kws_heap_freeze()

    // ---- the measured stream, 10 ms at a time ----------------------------------------
    var pending = 0  // frames already in the input tensor
    var invocations = 0
    var detectionCount = 0
    var inferenceWork: UInt64 = 0
    var failure: InterpreterError? = nil
    Measure.start()
    var start = 0
    while start < samples.count && failure == nil {
      let end = min(start + Features.defaultChunk, samples.count)
      frontend.process(UnsafeBufferPointer(rebasing: samples[start..<end])) { frame in
        let row = inputRows + pending * featureCount
        for c in 0..<featureCount { row[c] = quantize(frame[c]) }
        pending += 1
        guard pending == stride, failure == nil else { return }
        pending = 0
        let before = Board.counter()
        do throws(InterpreterError) {
          try interpreter.invoke()
        } catch {
          failure = error
          return
        }
        inferenceWork += Board.counter() - before
        let code = output.data.load(as: UInt8.self)
        if invocations < scores.count { scores[invocations] = code }
        invocations += 1
        if detector.push(Int32(code)) {
          if detectionCount < maxDetections { detections[detectionCount] = invocations - 1 }
          detectionCount += 1
        }
      }
      start = end
    }
    let work = Measure.stop()

    // ---- results ---------------------------------------------------------------------
    if let failure {
      return fail("inference: ", failure.description)
    }
    if let scoresPath {
      var out = try Semihosting.File(path: scoresPath, mode: .writeBinary)
      try out.write(
        UnsafeRawBufferPointer(
          rebasing: UnsafeRawBufferPointer(scores)[0..<min(invocations, scores.count)]))
      out.close()
    }
    var peak: UInt8 = 0
    for i in 0..<min(invocations, scores.count) { peak = max(peak, scores[i]) }
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
    Console.write(" consumed while preparing), front end ")
    Console.write(Int(heapAfterFrontend.liveBytes - heapAfterInterpreter.liveBytes))
    Console.write(" bytes\ninvocations: ")
    Console.write(invocations)
    Console.write(", peak score ")
    Console.write(Int(peak))
    Console.write("/255\ndetections: ")
    Console.write(detectionCount)
    for i in 0..<min(detectionCount, maxDetections) {
      Console.write(i == 0 ? " at " : ", ")
      // The invocation that fired ends (i + 1) * stride frames after the first
      // window: 30 ms + (index + 1) * stride * 10 ms into the clip.
      Console.write(30 + (detections[i] + 1) * stride * 10 - 10)
      Console.write(" ms")
    }
    Console.write("\n")
    Report.work("total", work, audioSamples: samples.count)
    Report.work("inference", inferenceWork, audioSamples: samples.count)
    if invocations > 0 {
      Console.write("inference per invocation: ")
      Console.write(Int64(inferenceWork / UInt64(invocations)))
      Console.write(" ")
      Console.write(Board.counterUnit)
      Console.write("\n")
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
