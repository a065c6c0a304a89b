// The kernels layer by layer on whole models: the DS-CNN-S (MLPerf Tiny shape), a
// micro_speech-shaped model and a Keras Conv1D net with standalone activations, with every intermediate tensor recorded from the TFLM
// Python interpreter (Models/dscnn/build_dscnn.py writes NAME.layers.json).
import Foundation
import Inference
import TestSupport
import Testing

struct LayerOp: Decodable {
  var op: String
  var options: VectorOptions
  var inputs: [VectorTensor?]
  var outputs: [VectorTensor]
  var inputTensors: [Int]
  var outputTensors: [Int]
}

struct LayerCase: Decodable {
  var input: [Int]
  /// TFLM's scores for `input`.
  var output: [Int]
}

struct LayerModel: Decodable {
  var name: String
  var ops: [LayerOp]
  var graphInput: Int
  var graphOutput: Int
  var cases: [LayerCase]

  static func load(_ name: String) throws -> LayerModel {
    let url = URL(
      fileURLWithPath: TestSupport.path("Tests/InferenceTests/Models/\(name).layers.json"))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(LayerModel.self, from: Data(contentsOf: url))
  }

  /// Runs one op with our kernels; the activation input is input 0 for every op here.
  static func run(_ layer: LayerOp, input: [Int], name: String) throws -> [Int] {
    if layer.op == "RESHAPE" { return input }
    let v = OpVector(
      name: name, op: layer.op, options: layer.options, inputs: layer.inputs,
      outputs: layer.outputs, graphInputs: [0], cases: [])
    return try KernelVectors.run(v, graphInputs: [input])
  }

  /// Every non-constant tensor of the live TFLM interpreter for each stored case,
  /// keyed by tensor index.
  func liveTensors() throws -> [[Int: [Int]]] {
    let stdin = try JSONSerialization.data(withJSONObject: cases.map { [$0.input] })
    let out = try TestSupport.reference(
      "tflm_op_check.py",
      ["--layers", TestSupport.path("Tests/InferenceTests/Models/\(name).tflite")],
      stdin: stdin)
    let live = try JSONDecoder().decode([[String: [Int]]].self, from: out)
    return live.map { tensors in
      var byIndex: [Int: [Int]] = [:]
      for (k, v) in tensors { byIndex[Int(k)!] = v }
      return byIndex
    }
  }
}

@Suite struct KernelModelTests {
  static let models = ["dscnn_random", "micro_speech_like", "keras_conv1d"]

  @Test func dscnnHasTheReferenceShape() throws {
    let m = try LayerModel.load("dscnn_random")
    let ops = m.ops.map(\.op).filter { $0 != "RESHAPE" }
    #expect(
      ops == ["CONV_2D"]
        + Array(repeating: ["DEPTHWISE_CONV_2D", "CONV_2D"], count: 4).flatMap { $0 }
        + ["AVERAGE_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"])
    let input = try #require(m.ops.first?.inputs.first ?? nil)
    #expect(input.shape == [1, 49, 10, 1])
    // The reference model's input quantization (REFERENCE.md section 4).
    #expect(abs(input.scales[0] - 0.5847029) < 1e-6)
    #expect(input.zeroPoints == [83])
    #expect(m.ops[0].inputs[1]?.shape == [64, 10, 4, 1])
  }

  /// The Keras Conv1D net keeps its activations as ops of their own (what models
  /// trained elsewhere bring): the layer tests below then cover them in a whole model.
  @Test func kerasConv1DHasStandaloneActivations() throws {
    let m = try LayerModel.load("keras_conv1d")
    let ops = m.ops.map(\.op).filter { $0 != "RESHAPE" }
    #expect(
      ops == [
        "CONV_2D", "CONV_2D", "LEAKY_RELU", "CONV_2D", "HARD_SWISH", "CONV_2D", "TANH", "MEAN", "RELU6",
        "FULLY_CONNECTED", "SOFTMAX",
      ])
  }

  /// Each layer fed the live TFLM interpreter's input activation must give its output
  /// activation.
  @Test(arguments: models)
  func everyLayerMatchesLiveTFLM(model: String) throws {
    let m = try LayerModel.load(model)
    let live = try m.liveTensors()
    try #require(live.count == m.cases.count)
    for (k, tensors) in live.enumerated() {
      for (i, layer) in m.ops.enumerated() {
        let input = try #require(tensors[layer.inputTensors[0]], "no tensor for op \(i)")
        let expected = try #require(tensors[layer.outputTensors[0]])
        let ours = try LayerModel.run(layer, input: input, name: "\(model) op \(i)")
        let bad = KernelVectors.mismatches(ours, expected)
        #expect(
          bad.isEmpty,
          "\(model) case \(k) op \(i) \(layer.op): \(bad.count) mismatches\n\(bad.joined(separator: "\n"))"
        )
      }
    }
  }

  /// The whole model on our kernels alone (each op fed our previous output): every
  /// intermediate tensor equals live TFLM's, and the scores equal the stored ones.
  @Test(arguments: models)
  func chainedKernelsMatchTFLM(model: String) throws {
    let m = try LayerModel.load(model)
    let live = try m.liveTensors()
    try #require(live.count == m.cases.count)
    for (k, c) in m.cases.enumerated() {
      var tensors: [Int: [Int]] = [m.graphInput: c.input]
      for (i, layer) in m.ops.enumerated() {
        let input = try #require(
          tensors[layer.inputTensors[0]], "op \(i) runs before its input exists")
        let ours = try LayerModel.run(layer, input: input, name: "\(model) op \(i)")
        tensors[layer.outputTensors[0]] = ours
        let bad = KernelVectors.mismatches(ours, live[k][layer.outputTensors[0]] ?? [])
        #expect(
          bad.isEmpty,
          "\(model) case \(k) op \(i) \(layer.op) (chained): \(bad.joined(separator: "\n"))"
        )
      }
      #expect(tensors[m.graphOutput] == c.output, "\(model) case \(k): scores")
    }
  }

  /// The stored scores are what the live TFLM interpreter gives today.
  @Test(arguments: models)
  func storedScoresEqualLiveTFLM(model: String) throws {
    let m = try LayerModel.load(model)
    let live = try m.liveTensors()
    try #require(live.count == m.cases.count)
    for (k, c) in m.cases.enumerated() {
      #expect(
        live[k][m.graphOutput] == c.output,
        "\(model) case \(k): stored scores differ from live TFLM")
    }
  }
}
