// Where the instructions go, layer by layer and front end by front end
// (Firmware/perf.sh turns these lines into the tables of `make firmware-report`).
//
//     layers <model.tflite> <inputs.bin>
//         every case (inputs as for `infer`) runs twice: once through `invoke()`,
//         counted as a whole, then node by node with the counter around each node.
//         Prints one `layer:` line per node with its average instructions per
//         inference and multiply-accumulates; fails if the two runs' outputs differ.
//     frontend <microfrontend|micro-speech|mfcc> <clip.raw>
//         streams the clip (s16le, 16 kHz) in 10 ms chunks through that front end;
//         prints instructions per second of audio and per frame.
//
// Counts are instructions (QEMU -icount), 40 per timer tick: a node's figure is
// exact to +-40 per inference plus the two register accesses of the counter.
import CSupport
import Frontend
import Inference

enum Perf {
  static func layers(
    modelPath: UnsafePointer<CChar>, inputsPath: UnsafePointer<CChar>
  ) throws(SemihostingError) -> CInt {
    // ---- start-up ------------------------------------------------------------------
    guard let (_, interpreter) = try Infer.load(modelPath) else { return ExitStatus.ioError }
    guard interpreter.inputCount == 1 else {
      return Report.failure(modelPath, "layers takes models with one input")
    }
    let input = interpreter.input(0)
    var inputs = try Semihosting.File(path: inputsPath, mode: .readBinary)
    let inputLength = try inputs.length()
    guard input.byteCount > 0, inputLength > 0, inputLength % input.byteCount == 0 else {
      Console.write("error: ")
      Console.write(cString: inputsPath)
      Console.write(" is not a whole number of ")
      Console.write(input.byteCount)
      Console.write("-byte inputs\n")
      return ExitStatus.usage
    }
    let cases = inputLength / input.byteCount
    let inputBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: inputLength, alignment: 16)
    try inputs.read(into: inputBytes)
    inputs.close()
    var outputBytes = 0
    for i in 0..<interpreter.outputCount { outputBytes += interpreter.output(i).byteCount }
    let whole = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(outputBytes, 1), alignment: 16)
    let nodes = interpreter.nodes
    let perNode = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: nodes.count)
    perNode.initialize(repeating: 0)
    kws_heap_freeze()

    // ---- the cases -------------------------------------------------------------------
    var total: UInt64 = 0
    var mismatches = 0
    for c in 0..<cases {
      input.data.copyMemory(
        from: inputBytes.baseAddress! + c * input.byteCount, byteCount: input.byteCount)
      Measure.start()
      do throws(InterpreterError) {
        try interpreter.invoke()
      } catch {
        return Report.failure(modelPath, error.description)
      }
      total += Measure.stop()
      copyOutputs(interpreter, to: whole.baseAddress!, compare: false)
      // Same input again, node by node (a stateless model gives the same outputs).
      input.data.copyMemory(
        from: inputBytes.baseAddress! + c * input.byteCount, byteCount: input.byteCount)
      for (i, n) in nodes.enumerated() {
        Measure.start()
        interpreter.invoke(node: n)
        perNode[i] += Measure.stop()
      }
      if !copyOutputs(interpreter, to: whole.baseAddress!, compare: true) { mismatches += 1 }
    }

    // ---- the table -------------------------------------------------------------------
    Console.write("model: ")
    Console.write(cString: modelPath)
    Console.write(", arena ")
    Console.write(interpreter.arenaBytesRequired)
    Console.write(" bytes\ncases: ")
    Console.write(cases)
    Console.write("\n")
    var macs = 0
    for (i, n) in nodes.enumerated() {
      let nodeMacs = interpreter.multiplyAccumulates(node: n)
      macs += nodeMacs
      // layer: <node> <OPERATOR> <output shape> <MACs> <instructions per inference>
      Console.write("layer: ")
      Console.write(n)
      Console.write(" ")
      Console.write(interpreter.operatorKind(node: n).name)
      Console.write(" ")
      let shape = interpreter.outputShape(node: n)
      for d in 0..<shape.rank {
        if d > 0 { Console.write("x") }
        Console.write(shape[d])
      }
      Console.write(" ")
      Console.write(nodeMacs)
      Console.write(" ")
      Console.write(Int64(perNode[i] / UInt64(cases)))
      Console.write("\n")
    }
    Console.write("inference per invocation: ")
    Console.write(Int64(total / UInt64(cases)))
    Console.write(" ")
    Console.write(Board.counterUnit)
    Console.write("\nmultiply-accumulates per invocation: ")
    Console.write(macs)
    Console.write("\n")
    if macs > 0 {
      Console.write("inference per multiply-accumulate: ")
      Console.write(Int64(total / UInt64(cases)), over: Int64(macs), places: 2)
      Console.write("\n")
    }
    if mismatches > 0 {
      Console.write("error: ")
      Console.write(mismatches)
      Console.write(" cases gave other outputs node by node than through invoke()\n")
    }
    let clean = Report.resources()
    return mismatches > 0
      ? ExitStatus.ioError : clean ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }

  /// Copies every output to `buffer`, or compares them with it; false on a difference.
  @discardableResult
  private static func copyOutputs(
    _ interpreter: Interpreter, to buffer: UnsafeMutableRawPointer, compare: Bool
  ) -> Bool {
    var offset = 0
    var same = true
    for i in 0..<interpreter.outputCount {
      let tensor = interpreter.output(i)
      for b in 0..<tensor.byteCount {
        let value = tensor.data.load(fromByteOffset: b, as: UInt8.self)
        if compare {
          same = same && buffer.load(fromByteOffset: offset + b, as: UInt8.self) == value
        } else {
          buffer.storeBytes(of: value, toByteOffset: offset + b, as: UInt8.self)
        }
      }
      offset += tensor.byteCount
    }
    return same
  }

  static func frontend(
    kind: FrontendKind, clipPath: UnsafePointer<CChar>
  ) throws(SemihostingError) -> CInt {
    var clip = try Semihosting.File(path: clipPath, mode: .readBinary)
    let byteCount = try clip.length()
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: byteCount / 2)
    try clip.read(into: UnsafeMutableRawBufferPointer(samples))
    clip.close()
    var extractor: FeatureExtractor
    do throws(FrontendError) {
      extractor = try FeatureExtractor(kind)
    } catch {
      return Report.failure(clipPath, error.description)
    }
    kws_heap_freeze()

    let chunk = 160  // samples: 10 ms, a typical DMA block
    var frames = 0
    var checksum: Int32 = 0  // keeps the features live; printed
    Measure.start()
    var start = 0
    while start < samples.count {
      let end = min(start + chunk, samples.count)
      extractor.process(UnsafeBufferPointer(rebasing: samples[start..<end])) { codes in
        frames += 1
        for c in codes { checksum &+= c }
      }
      start = end
    }
    let work = Measure.stop()
    Console.write("frontend: ")
    Console.write(kind.name)
    Console.write(", ")
    Console.write(samples.count)
    Console.write(" samples, ")
    Console.write(frames)
    Console.write(" frames, feature sum ")
    Console.write(Int(checksum))
    Console.write("\n")
    Report.work("frontend", work, audioSamples: samples.count)
    Report.average("frontend per frame", work, per: frames)
    return Report.resources() ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }
}
