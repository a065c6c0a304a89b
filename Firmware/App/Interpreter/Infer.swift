// `infer <model.tflite> <inputs.bin> <outputs.bin>`: runs any model the interpreter
// supports on the microcontroller, case after case, for parity checks against the
// live TFLM interpreter on the host (tests/infer_check.py).
//
// inputs.bin holds whole cases back to back; a case is every graph input's bytes,
// in input order. outputs.bin gets, per case, every graph output's bytes in output
// order. The model is read into RAM (16-byte aligned) at start-up; the cost of each
// invoke is counted and reported as instructions per inference.
import CSupport
import Inference

enum Infer {
  /// The model file at `path`, read into RAM and prepared with an arena of its own;
  /// nil once the reason is printed (`error: <path>: ...`). Start-up only: allocates.
  static func load(_ path: UnsafePointer<CChar>) throws(SemihostingError)
    -> (bytes: UnsafeRawBufferPointer, interpreter: Interpreter)?
  {
    let bytes = try Spot.readAligned(path)
    let message: String
    do throws(ModelError) {
      let model = try Model(bytes: bytes)
      do throws(InterpreterError) {
        return (bytes, try interpreter(for: model))
      } catch {
        message = error.description
      }
    } catch {
      message = error.description
    }
    _ = Report.failure(path, message)
    return nil
  }

  /// An interpreter for `model` with an arena of exactly the size it needs.
  static func interpreter(for model: Model) throws(InterpreterError) -> Interpreter {
    let arena = UnsafeMutableRawBufferPointer.allocate(
      byteCount: try Interpreter.arenaBytesRequired(for: model),
      alignment: Interpreter.arenaAlignment)
    return try Interpreter(model: model, arena: arena)
  }

  static func run(
    modelPath: UnsafePointer<CChar>, inputsPath: UnsafePointer<CChar>,
    outputsPath: UnsafePointer<CChar>
  ) throws(SemihostingError) -> CInt {
    // ---- start-up ------------------------------------------------------------------
    guard let (modelBytes, interpreter) = try load(modelPath) else { return ExitStatus.ioError }
    var caseInputBytes = 0
    for i in 0..<interpreter.inputCount { caseInputBytes += interpreter.input(i).byteCount }
    var caseOutputBytes = 0
    for i in 0..<interpreter.outputCount { caseOutputBytes += interpreter.output(i).byteCount }

    var inputs = try Semihosting.File(path: inputsPath, mode: .readBinary)
    let inputLength = try inputs.length()
    guard caseInputBytes > 0, inputLength % caseInputBytes == 0 else {
      Console.write("error: ")
      Console.write(cString: inputsPath)
      Console.write(" holds ")
      Console.write(inputLength)
      Console.write(" bytes, not a whole number of ")
      Console.write(caseInputBytes)
      Console.write("-byte cases\n")
      return ExitStatus.usage
    }
    let cases = inputLength / caseInputBytes
    let inputBytes = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(inputLength, 1), alignment: 16)
    try inputs.read(into: UnsafeMutableRawBufferPointer(rebasing: inputBytes[0..<inputLength]))
    inputs.close()
    let outputBytes = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(cases * caseOutputBytes, 1), alignment: 16)
    kws_heap_freeze()

    // ---- the cases -------------------------------------------------------------------
    var work: UInt64 = 0
    var failure: InterpreterError? = nil
    for c in 0..<cases where failure == nil {
      var offset = c * caseInputBytes
      for i in 0..<interpreter.inputCount {
        let tensor = interpreter.input(i)
        tensor.data.copyMemory(from: inputBytes.baseAddress! + offset, byteCount: tensor.byteCount)
        offset += tensor.byteCount
      }
      Measure.start()
      do throws(InterpreterError) {
        try interpreter.invoke()
      } catch {
        failure = error
      }
      work += Measure.stop()
      offset = c * caseOutputBytes
      for i in 0..<interpreter.outputCount {
        let tensor = interpreter.output(i)
        (outputBytes.baseAddress! + offset).copyMemory(
          from: tensor.data, byteCount: tensor.byteCount)
        offset += tensor.byteCount
      }
    }
    if let failure {
      return Report.failure(modelPath, failure.description)
    }

    var out = try Semihosting.File(path: outputsPath, mode: .writeBinary)
    try out.write(UnsafeRawBufferPointer(rebasing: outputBytes[0..<cases * caseOutputBytes]))
    out.close()
    Console.write("model: ")
    Console.write(cString: modelPath)
    Console.write(", ")
    Console.write(modelBytes.count)
    Console.write(" bytes, arena ")
    Console.write(interpreter.arenaBytesRequired)
    Console.write(" bytes\ncases: ")
    Console.write(cases)
    Console.write("\n")
    Report.work("inference", work, audioSamples: 0)
    Report.average("inference per invocation", work, per: cases)
    return Report.resources() ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }
}
