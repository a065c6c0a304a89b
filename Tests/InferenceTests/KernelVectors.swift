// Loading the single-op vectors of Tests/InferenceTests/OpModels (written by
// Tests/Reference/make_op_models.py) and running our kernels on them: prepare from
// the floats stored in the vector, eval in integers, return the output bytes.
import Foundation
import Inference
import TestSupport

struct VectorTensor: Decodable {
  var shape: [Int]
  var type: String
  var scales: [Double]
  var zeroPoints: [Int]
  var data: [Int]?

  var shapeValue: Shape { Shape(rank: shape.count) { shape[$0] } }
  var quantization: TensorQuantization {
    TensorQuantization(scale: Float(scales[0]), zeroPoint: Int32(zeroPoints[0]))
  }
  var floatScales: [Float] { scales.map { Float($0) } }
}

struct VectorOptions: Decodable {
  var padding: String?
  var strideH: Int?
  var strideW: Int?
  var dilationH: Int?
  var dilationW: Int?
  var depthMultiplier: Int?
  var filterH: Int?
  var filterW: Int?
  var activation: String?
  var keepNumDims: Bool?
  var keepDims: Bool?
  var beta: Double?
  var alpha: Double?

  var paddingMode: PaddingMode { padding == "VALID" ? .valid : .same }
  var fusedActivation: FusedActivation {
    switch activation {
    case "RELU": return .relu
    case "RELU6": return .relu6
    case "RELU_N1_TO_1": return .reluN1To1
    default: return .none
    }
  }
}

struct VectorCase: Decodable {
  var inputs: [[Int]]
  var outputs: [[Int]]
}

struct OpVector: Decodable {
  var name: String
  var op: String
  var options: VectorOptions
  var inputs: [VectorTensor?]
  var outputs: [VectorTensor]
  var graphInputs: [Int]
  var cases: [VectorCase]
}

struct VectorError: Error, CustomStringConvertible {
  var description: String
}

enum KernelVectors {
  static let directory = TestSupport.path("Tests/InferenceTests/OpModels")

  /// Names of every stored vector, sorted.
  static let names: [String] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }()

  static func load(_ name: String) throws -> OpVector {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).json"))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(OpVector.self, from: data)
  }

  static func modelPath(_ name: String) -> String { "\(directory)/\(name).tflite" }

  /// Runs our kernel for `v` on one case's graph inputs (one flat list per graph
  /// input, in graph order) and returns the output values.
  static func run(_ v: OpVector, graphInputs: [[Int]]) throws -> [Int] {
    // Place each graph input at its position among the op's inputs.
    var opInputs = [[Int8]](repeating: [], count: v.inputs.count)
    for (k, position) in v.graphInputs.enumerated() {
      opInputs[position] = graphInputs[k].map { Int8($0) }
    }
    for (i, t) in v.inputs.enumerated() {
      if let t, let d = t.data, t.type == "INT8" { opInputs[i] = d.map { Int8($0) } }
    }
    let out = v.outputs[0]
    var result = [Int8](repeating: 0, count: out.shapeValue.elementCount)
    let o = v.options
    let x = v.inputs[0]!
    let bias32: [Int32]? = v.inputs.count > 2 ? v.inputs[2]?.data.map { $0.map { Int32($0) } } : nil

    switch v.op {
    case "CONV_2D":
      let f = v.inputs[1]!
      let p = try prepareConv2D(
        input: x.shapeValue, filter: f.shapeValue, output: out.shapeValue, biasCount: bias32?.count,
        inputQuantization: x.quantization, filterScales: f.floatScales,
        outputQuantization: out.quantization, padding: o.paddingMode, strideHeight: o.strideH!,
        strideWidth: o.strideW!, dilationHeight: o.dilationH!, dilationWidth: o.dilationW!,
        activation: o.fusedActivation)
      withBias(bias32) { bias in
        conv2D(
          p, input: opInputs[0], inputShape: x.shapeValue, filter: opInputs[1],
          filterShape: f.shapeValue, bias: bias, output: &result, outputShape: out.shapeValue)
      }
    case "DEPTHWISE_CONV_2D":
      let f = v.inputs[1]!
      let p = try prepareDepthwiseConv2D(
        input: x.shapeValue, filter: f.shapeValue, output: out.shapeValue, biasCount: bias32?.count,
        inputQuantization: x.quantization, filterScales: f.floatScales,
        outputQuantization: out.quantization, padding: o.paddingMode, strideHeight: o.strideH!,
        strideWidth: o.strideW!, dilationHeight: o.dilationH!, dilationWidth: o.dilationW!,
        depthMultiplier: o.depthMultiplier!, activation: o.fusedActivation)
      withBias(bias32) { bias in
        depthwiseConv2D(
          p, input: opInputs[0], inputShape: x.shapeValue, filter: opInputs[1],
          filterShape: f.shapeValue, bias: bias, output: &result, outputShape: out.shapeValue)
      }
    case "FULLY_CONNECTED":
      let w = v.inputs[1]!
      let p = try prepareFullyConnected(
        input: x.shapeValue, weights: w.shapeValue, output: out.shapeValue,
        biasCount: bias32?.count,
        inputQuantization: x.quantization, weightScales: w.floatScales,
        weightsZeroPoint: Int32(w.zeroPoints[0]), outputQuantization: out.quantization,
        activation: o.fusedActivation)
      withBias(bias32) { bias in
        fullyConnected(p, input: opInputs[0], weights: opInputs[1], bias: bias, output: &result)
      }
    case "AVERAGE_POOL_2D", "MAX_POOL_2D":
      let p = try preparePool2D(
        input: x.shapeValue, output: out.shapeValue, outputQuantization: out.quantization,
        padding: o.paddingMode, filterHeight: o.filterH!, filterWidth: o.filterW!,
        strideHeight: o.strideH!, strideWidth: o.strideW!, activation: o.fusedActivation)
      if v.op == "MAX_POOL_2D" {
        maxPool2D(
          p, input: opInputs[0], inputShape: x.shapeValue, output: &result,
          outputShape: out.shapeValue)
      } else {
        averagePool2D(
          p, input: opInputs[0], inputShape: x.shapeValue, output: &result,
          outputShape: out.shapeValue)
      }
    case "SOFTMAX" where out.type == "INT16":
      let p = try prepareSoftmax(
        input: x.shapeValue, output: out.shapeValue, inputScale: x.quantization.scale,
        outputQuantization: out.quantization, outputType: .int16, beta: Float(o.beta ?? 1))
      var wide = [Int16](repeating: 0, count: result.count)
      softmax(p, input: opInputs[0], output: &wide)
      return wide.map { Int($0) }
    case "SOFTMAX":
      let p = try prepareSoftmax(
        input: x.shapeValue, output: out.shapeValue, inputScale: x.quantization.scale,
        outputQuantization: out.quantization, beta: Float(o.beta ?? 1))
      softmax(p, input: opInputs[0], output: &result)
    case "LOGISTIC":
      let p = try prepareLogistic(
        input: x.shapeValue, output: out.shapeValue, inputQuantization: x.quantization,
        outputQuantization: out.quantization)
      logistic(p, input: opInputs[0], output: &result)
    case "ADD", "MUL":
      let y = v.inputs[1]!
      if v.op == "ADD" {
        let p = try prepareAdd(
          input1: x.shapeValue, input2: y.shapeValue, output: out.shapeValue,
          input1Quantization: x.quantization, input2Quantization: y.quantization,
          outputQuantization: out.quantization, activation: o.fusedActivation)
        add(p, input1: opInputs[0], input2: opInputs[1], output: &result)
      } else {
        let p = try prepareMul(
          input1: x.shapeValue, input2: y.shapeValue, output: out.shapeValue,
          input1Quantization: x.quantization, input2Quantization: y.quantization,
          outputQuantization: out.quantization, activation: o.fusedActivation)
        mul(p, input1: opInputs[0], input2: opInputs[1], output: &result)
      }
    case "MEAN":
      let axes = v.inputs[1]!.data!.map { Int32($0) }
      let p = try prepareMean(
        input: x.shapeValue, output: out.shapeValue, axes: axes, keepDims: o.keepDims ?? false,
        inputQuantization: x.quantization, outputQuantization: out.quantization)
      var scratch = [Int32](repeating: 0, count: p.scratchCount)
      mean(p, input: opInputs[0], output: &result, scratch: &scratch)
    case "RELU":
      relu(
        try prepareRelu(
          input: x.shapeValue, output: out.shapeValue, inputQuantization: x.quantization,
          outputQuantization: out.quantization), input: opInputs[0], output: &result)
    case "RELU6":
      relu6(
        try prepareRelu6(
          input: x.shapeValue, output: out.shapeValue, inputQuantization: x.quantization),
        input: opInputs[0], output: &result)
    case "LEAKY_RELU":
      leakyRelu(
        try prepareLeakyRelu(
          input: x.shapeValue, output: out.shapeValue, alpha: Float(o.alpha!),
          inputQuantization: x.quantization,
          outputQuantization: out.quantization), input: opInputs[0], output: &result)
    case "HARD_SWISH":
      hardSwish(
        try prepareHardSwish(
          input: x.shapeValue, output: out.shapeValue, inputQuantization: x.quantization,
          outputQuantization: out.quantization), input: opInputs[0], output: &result)
    case "TANH":
      tanh(
        try prepareTanh(
          input: x.shapeValue, output: out.shapeValue, inputQuantization: x.quantization),
        input: opInputs[0], output: &result)
    case "SUB":
      let y = v.inputs[1]!
      let p = try prepareSub(
        input1: x.shapeValue, input2: y.shapeValue, output: out.shapeValue,
        input1Quantization: x.quantization,
        input2Quantization: y.quantization, outputQuantization: out.quantization,
        activation: o.fusedActivation)
      sub(p, input1: opInputs[0], input2: opInputs[1], output: &result)
    case "MAXIMUM", "MINIMUM":
      let p = try prepareMaximumMinimum(
        isMaximum: v.op == "MAXIMUM", input1: x.shapeValue, input2: v.inputs[1]!.shapeValue,
        output: out.shapeValue, element: .int8)
      maximumMinimum(p, input1: opInputs[0], input2: opInputs[1], output: &result)
    case "TRANSPOSE":
      let p = try prepareTranspose(
        input: x.shapeValue, permutation: v.inputs[1]!.data!.map { Int32($0) },
        output: out.shapeValue,
        elementSize: 1)
      opInputs[0].withUnsafeBytes { input in
        result.withUnsafeMutableBytes {
          transpose(p, input: input.baseAddress!, output: $0.baseAddress!)
        }
      }
    default:
      throw VectorError(description: "\(v.name): no kernel for \(v.op)")
    }
    return result.map { Int($0) }
  }

  private static func withBias(_ bias: [Int32]?, _ body: (UnsafePointer<Int32>?) -> Void) {
    if let bias { bias.withUnsafeBufferPointer { body($0.baseAddress) } } else { body(nil) }
  }

  /// Every position where `ours` and `theirs` differ, as "index: ours vs theirs" lines.
  static func mismatches(_ ours: [Int], _ theirs: [Int]) -> [String] {
    if ours.count != theirs.count { return ["length \(ours.count) vs \(theirs.count)"] }
    return ours.indices.filter { ours[$0] != theirs[$0] }.map {
      "[\($0)] ours \(ours[$0]) TFLM \(theirs[$0])"
    }
  }

  /// Asks the live TFLM interpreter for the outputs of many models at once:
  /// `requests[name]` is a list of cases, each a list of flat graph inputs.
  static func liveTFLM(_ requests: [String: [[[Int]]]]) throws -> [String: [[[Int]]]] {
    var byPath: [String: [[[Int]]]] = [:]
    for (name, cases) in requests { byPath[modelPath(name)] = cases }
    let stdin = try JSONSerialization.data(withJSONObject: byPath)
    let out = try TestSupport.reference("tflm_op_check.py", ["--batch"], stdin: stdin)
    let answer = try JSONDecoder().decode([String: [[[Int]]]].self, from: out)
    var byName: [String: [[[Int]]]] = [:]
    for name in requests.keys { byName[name] = answer[modelPath(name)] }
    return byName
  }
}
