// `kws infer MODEL.tflite --input FILE... [--json]`: run a model on raw input
// tensors and print its outputs.
import ArgumentParser
import Foundation
import Host
import Inference

struct InferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "infer",
    abstract: "Run a .tflite model on raw input tensors and print the outputs and argmax.",
    discussion: """
      Each FILE holds the raw bytes of one input tensor (exactly its size; a model with
      several inputs takes one file per input, in order). `--input -` reads tensors back
      to back from standard input. Streaming models (microWakeWord) keep their state from
      one invocation to the next: the inputs are run in the order given.
      Example: kws infer okay_nabu.tflite --input frames_0.bin frames_1.bin --json
      """)

  @Argument(help: "The .tflite model file.")
  var model: String

  @Option(name: .long, parsing: .upToNextOption, help: "Raw input tensor files, or - for standard input.")
  var input: [String] = []

  @Flag(help: "Print one JSON object per invocation: {\"file\":..., \"output\":[...], \"argmax\":N}.")
  var json = false

  func validate() throws {
    guard !input.isEmpty else { throw ValidationError("give at least one --input FILE (or - for standard input)") }
  }

  func run() throws {
    let runner: ModelRunner
    do { runner = try ModelRunner(path: model) } catch { throw CommandFailure(error.description) }
    let interpreter = runner.interpreter
    let perInvocation = interpreter.inputCount
    guard perInvocation >= 1, interpreter.outputCount >= 1 else {
      throw CommandFailure("\(model): the model has no inputs or no outputs")
    }

    // (label, bytes of one tensor) in order, files and stdin alike.
    var tensors: [(String, [UInt8])] = []
    var index = 0
    for path in input {
      if path == "-" {
        let data = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        var offset = 0
        var k = 0
        while offset < data.count {
          let need = interpreter.input(index % perInvocation).byteCount
          guard data.count - offset >= need else {
            throw CommandFailure(
              "standard input: \(data.count - offset) bytes left at byte \(offset), but input \(index % perInvocation) "
                + "(\(describe(interpreter.input(index % perInvocation)))) needs \(need)")
          }
          tensors.append(("-#\(k)", Array(data[offset..<(offset + need)])))
          offset += need
          index += 1
          k += 1
        }
      } else {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot read") }
        let t = interpreter.input(index % perInvocation)
        guard data.count == t.byteCount else {
          throw CommandFailure(
            "\(path): \(data.count) bytes, but input \(index % perInvocation) (\(describe(t))) needs exactly \(t.byteCount)")
        }
        tensors.append((path, [UInt8](data)))
        index += 1
      }
    }
    guard tensors.count % perInvocation == 0 else {
      throw CommandFailure("the model takes \(perInvocation) input tensors per invocation; \(tensors.count) given")
    }

    for start in stride(from: 0, to: tensors.count, by: perInvocation) {
      for i in 0..<perInvocation {
        let t = interpreter.input(i)
        tensors[start + i].1.withUnsafeBytes { t.data.copyMemory(from: $0.baseAddress!, byteCount: t.byteCount) }
      }
      do { try interpreter.invoke() } catch { throw CommandFailure(error.description) }
      let out = interpreter.output(0)
      let values = Self.values(out)
      let argmax = values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) } ?? 0
      let label = tensors[start].0
      if json {
        let numbers = values.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0) }
        print("{\"file\":\(jsonString(label)),\"output\":[\(numbers.joined(separator: ","))],\"argmax\":\(argmax)}")
      } else {
        let shown = values.map { $0 == $0.rounded() ? String(Int64($0)) : String($0) }
        var line = "\(label): output [\(shown.joined(separator: " "))] argmax \(argmax)"
        if out.scale > 0, out.type != .float32 {
          let real = values.map { String(Float(out.scale) * Float($0 - Double(out.zeroPoint))) }
          line += " (real [\(real.joined(separator: " "))])"
        }
        print(line)
      }
    }
  }

  /// Output 0's elements as numbers (raw integers for quantized types).
  static func values(_ t: TensorView) -> [Double] {
    (0..<t.shape.elementCount).map { i -> Double in
      switch t.type {
      case .int8: return Double(t.data.load(fromByteOffset: i, as: Int8.self))
      case .uint8: return Double(t.data.load(fromByteOffset: i, as: UInt8.self))
      case .int16: return Double(t.data.load(fromByteOffset: 2 * i, as: Int16.self))
      case .int32: return Double(t.data.load(fromByteOffset: 4 * i, as: Int32.self))
      case .float32: return Double(t.data.load(fromByteOffset: 4 * i, as: Float.self))
      case .int64: return Double(t.data.load(fromByteOffset: 8 * i, as: Int64.self))
      case .bool: return t.data.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
      case .resource, .other: return 0
      }
    }
  }
}

func describe(_ t: TensorView) -> String {
  "\(t.type.name) \((0..<t.shape.rank).map { t.shape[$0] })"
}

