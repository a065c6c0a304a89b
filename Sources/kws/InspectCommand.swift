// `kws inspect MODEL.tflite [--json]`: what is inside a model and what it costs to
// run: operators, tensors, parameter count, MACs per inference, planned arena.
import ArgumentParser
import Foundation
import Host
import Inference

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show a .tflite model's operators, tensors, parameters, MACs and planned arena bytes.",
    discussion: """
      Example: kws inspect okay_nabu.tflite
      The arena figure is what our interpreter needs (variables + planned activations);
      it is the memory the caller provides, the interpreter adds nothing per inference.
      """)

  @Argument(help: "The .tflite model file.")
  var model: String

  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  func run() throws {
    let file: ModelFile
    do { file = try ModelFile(path: model) } catch { throw CommandFailure(error.description) }
    let report = ModelReport(file)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      print(report.text)
    }
  }
}

/// A failure with a message for the user (printed as "Error: ...").
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}

/// Everything `inspect` prints, computed once (Codable for --json).
struct ModelReport: Codable {
  struct Op: Codable {
    var index: Int
    var op: String
    var inputs: [Int]
    var outputs: [Int]
    var macs: Int
  }
  struct Tensor: Codable {
    var index: Int
    var name: String
    var type: String
    var shape: [Int]
    var bytes: Int
    var constant: Bool
    var scale: [Float]?
    var zeroPoint: [Int64]?
    var quantizedDimension: Int?
  }
  struct Subgraph: Codable {
    var index: Int
    var name: String
    var inputs: [Int]
    var outputs: [Int]
    var operators: [Op]
    var tensors: [Tensor]
  }
  var file: String
  var fileBytes: Int
  var schemaVersion: Int
  var subgraphs: [Subgraph]
  var parameters: Int
  var macs: Int
  /// nil when the interpreter refuses the model (see `unsupported`).
  var arenaBytes: Int?
  var variableBytes: Int?
  var activationBytes: Int?
  /// Heap bytes of the interpreter's own tables (not in the arena), on this host.
  var bookkeepingBytes: Int?
  /// Heap bytes of the model's index tables, needed only while building the interpreter.
  var modelTableBytes: Int
  var unsupported: String?

  init(_ file: ModelFile) {
    let model = file.model
    self.file = file.path
    fileBytes = model.bytes.count
    schemaVersion = Int(model.version)
    subgraphs = []
    parameters = 0
    macs = 0
    modelTableBytes = model.tableBytes
    for (s, g) in model.subgraphs.enumerated() {
      var ops: [Op] = []
      for (n, op) in g.operators.enumerated() {
        let m = ModelReport.macs(op, g)
        if s == 0 { macs += m }
        let name: String
        switch op.kind {
        case .other: name = "BUILTIN_\(op.code)"
        default: name = "\(op.kind.name)"
        }
        ops.append(Op(index: n, op: name, inputs: op.inputs.map(Int.init), outputs: op.outputs.map(Int.init), macs: m))
      }
      var tensors: [Tensor] = []
      for (i, t) in g.tensors.enumerated() {
        var scales: [Float]? = nil
        var zeros: [Int64]? = nil
        if t.quantization.count > 0 {
          scales = (0..<t.quantization.count).map { model.scale(t.quantization, $0) }
          zeros = (0..<t.quantization.count).map { model.zeroPoint(t.quantization, $0) }
        }
        tensors.append(
          Tensor(
            index: i, name: ModelReport.string(model, t.name), type: "\(t.type.name)",
            shape: (0..<t.shape.rank).map { t.shape[$0] }, bytes: t.byteCount, constant: t.data != nil,
            scale: scales, zeroPoint: zeros, quantizedDimension: t.quantization.count > 1 ? t.quantization.dimension : nil))
      }
      if s == 0 { parameters = ModelReport.parameters(g) }
      subgraphs.append(
        Subgraph(
          index: s, name: ModelReport.string(model, g.name), inputs: g.inputs.map(Int.init),
          outputs: g.outputs.map(Int.init), operators: ops, tensors: tensors))
    }
    do {
      let runner = try ModelRunner(file)
      arenaBytes = runner.interpreter.arenaBytesRequired
      variableBytes = runner.interpreter.variableBytes
      activationBytes = runner.interpreter.activationBytes
      bookkeepingBytes = runner.interpreter.bookkeepingBytes
    } catch {
      unsupported = error.description
    }
  }

  static func string(_ model: Model, _ span: ByteSpan) -> String {
    var bytes: [UInt8] = []
    model.forEachByte(span) { bytes.append($0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Multiply-accumulates of one operator, from its shapes.
  ///
  ///     CONV_2D 25x5x64 output, 10x4x1 filter: 25*5*64 * 10*4*1 = 320,000
  static func macs(_ op: OperatorInfo, _ g: SubgraphInfo) -> Int {
    func shape(_ index: Int32) -> Shape? { index >= 0 ? g.tensors[Int(index)].shape : nil }
    guard let out = op.outputs.first.flatMap(shape), op.inputs.count >= 2, let w = shape(op.inputs[1]) else { return 0 }
    switch op.kind {
    case .conv2D where w.rank == 4: return out.elementCount * w[1] * w[2] * w[3]
    case .depthwiseConv2D where w.rank == 4: return out.elementCount * w[1] * w[2]
    case .fullyConnected where w.rank == 2: return out.elementCount * w[1]
    default: return 0
    }
  }

  /// Learned values: the weights and biases of the convolutions and fully
  /// connected layers, plus constant operands of ADD, SUB and MUL (not shape/index
  /// operands, not the init graph's initial states).
  static func parameters(_ g: SubgraphInfo) -> Int {
    var counted = Set<Int32>()
    var total = 0
    for op in g.operators {
      let operands: ArraySlice<Int32>
      switch op.kind {
      case .conv2D, .depthwiseConv2D, .fullyConnected: operands = op.inputs.dropFirst()
      case .add, .sub, .mul: operands = op.inputs[...]
      default: continue
      }
      for i in operands where i >= 0 && g.tensors[Int(i)].data != nil && !counted.contains(i) {
        counted.insert(i)
        total += g.tensors[Int(i)].shape.elementCount
      }
    }
    return total
  }

  var text: String {
    var lines: [String] = []
    lines.append("model: \(file) (\(fileBytes) bytes, schema v\(schemaVersion), \(subgraphs.count) subgraph(s))")
    for g in subgraphs {
      lines.append("")
      lines.append(
        "subgraph \(g.index) \"\(g.name)\": \(g.operators.count) operators, \(g.tensors.count) tensors, "
          + "inputs \(g.inputs), outputs \(g.outputs)")
      lines.append("  operators (index, op, inputs -> outputs):")
      for op in g.operators {
        let macs = op.macs > 0 ? "  \(op.macs) MACs" : ""
        lines.append(
          "    \(pad(String(op.index), 4)) \(pad(op.op, 18)) \(op.inputs.map(String.init).joined(separator: ",")) -> "
            + "\(op.outputs.map(String.init).joined(separator: ","))\(macs)")
      }
      lines.append("  tensors (index, type, shape, quantization, name):")
      for t in g.tensors {
        var q = ""
        if let s = t.scale, let z = t.zeroPoint {
          q = s.count == 1 ? "scale \(s[0]) zp \(z[0])" : "per-channel x\(s.count) on axis \(t.quantizedDimension ?? 0)"
        }
        let constant = t.constant ? "const \(t.bytes) B" : ""
        lines.append(
          "    \(pad(String(t.index), 4)) \(pad(t.type, 8)) \(pad("\(t.shape)", 16)) \(pad(q, 34)) \(pad(constant, 12)) \(t.name)")
      }
    }
    lines.append("")
    lines.append("parameters: \(parameters)")
    lines.append("MACs per inference: \(macs)")
    if let arenaBytes, let variableBytes, let activationBytes {
      lines.append("arena: \(arenaBytes) bytes (\(variableBytes) variables + \(activationBytes) planned activations)")
      if let bookkeepingBytes {
        lines.append(
          "interpreter tables (heap, outside the arena, on this host): \(bookkeepingBytes) bytes; "
            + "model tables (needed only to build it): \(modelTableBytes) bytes")
      }
    } else if let unsupported {
      lines.append("arena: not planned: \(unsupported)")
    }
    return lines.joined(separator: "\n")
  }

  private func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
  }
}
