// Single-operator models (written by make_op_model.py) for the structural kernels,
// each run on pseudo-random inputs by our interpreter and by the live TFLM
// interpreter: every output byte must be equal.
import Foundation
import Host
import Inference
import Testing
import TestSupport

/// A tensor of a one-op model spec, as JSON.
func tensor(
  _ shape: [Int], _ type: String, scale: Double? = nil, zeroPoint: Int = 0, data: [Double]? = nil
) -> String {
  var fields = ["\"shape\": \(shape)", "\"type\": \"\(type)\""]
  if let scale { fields += ["\"scale\": \(scale)", "\"zero_point\": \(zeroPoint)"] }
  if let data { fields.append("\"data\": \(data.map { $0 == $0.rounded() ? String(Int($0)) : String($0) })") }
  return "{" + fields.joined(separator: ", ") + "}"
}

/// A one-op model: tensors, operator operands, graph inputs/outputs, options.
func spec(
  _ op: String, _ tensors: [String], inputs: [Int], outputs: [Int], graphInputs: [Int], options: String = "{}"
) -> String {
  """
  {"op": "\(op)", "tensors": [\(tensors.joined(separator: ", "))], "inputs": \(inputs), "outputs": \(outputs),
   "graph_inputs": \(graphInputs), "graph_outputs": \(outputs), "options": \(options)}
  """
}

struct OpCase: CustomStringConvertible, Sendable {
  let name: String
  let json: String
  var description: String { name }
}

private let q = 0.05  // a generic activation scale

let structuralCases: [OpCase] = [
  OpCase(
    name: "strided_slice_streaming_state",
    json: spec(
      "STRIDED_SLICE",
      [
        tensor([1, 5, 1, 40], "int8", scale: q, zeroPoint: -128), tensor([4], "int32", data: [0, 3, 0, 0]),
        tensor([4], "int32", data: [0, 5, 0, 0]), tensor([4], "int32", data: [1, 1, 1, 1]),
        tensor([1, 2, 1, 40], "int8", scale: q, zeroPoint: -128),
      ], inputs: [0, 1, 2, 3], outputs: [4], graphInputs: [0], options: #"{"beginMask": 13, "endMask": 15}"#)),
  OpCase(
    name: "strided_slice_negative_stride_shrink",
    json: spec(
      "STRIDED_SLICE",
      [
        tensor([2, 6, 5], "float32"), tensor([3], "int32", data: [1, -1, 0]), tensor([3], "int32", data: [2, 0, 5]),
        tensor([3], "int32", data: [1, -2, 2]), tensor([3, 3], "float32"),
      ], inputs: [0, 1, 2, 3], outputs: [4], graphInputs: [0], options: #"{"shrinkAxisMask": 1}"#)),
  OpCase(
    name: "strided_slice_int16_end_mask_stride3",
    json: spec(
      "STRIDED_SLICE",
      [
        tensor([4, 7], "int16", scale: q, zeroPoint: 0), tensor([2], "int32", data: [1, 0]),
        tensor([2], "int32", data: [0, 7]), tensor([2], "int32", data: [1, 3]),
        tensor([3, 3], "int16", scale: q, zeroPoint: 0),
      ], inputs: [0, 1, 2, 3], outputs: [4], graphInputs: [0], options: #"{"endMask": 1}"#)),
  OpCase(
    name: "concatenation_int8_last_axis",
    json: spec(
      "CONCATENATION",
      [
        tensor([1, 2, 3], "int8", scale: q, zeroPoint: 1), tensor([1, 2, 5], "int8", scale: q, zeroPoint: 1),
        tensor([1, 2, 8], "int8", scale: q, zeroPoint: 1),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0, 1], options: #"{"axis": -1}"#)),
  OpCase(
    name: "concatenation_float_three_inputs_axis1",
    json: spec(
      "CONCATENATION",
      [
        tensor([2, 1, 3], "float32"), tensor([2, 2, 3], "float32"), tensor([2, 3, 3], "float32"),
        tensor([2, 6, 3], "float32"),
      ], inputs: [0, 1, 2], outputs: [3], graphInputs: [0, 1, 2], options: #"{"axis": 1}"#)),
  OpCase(
    name: "concatenation_int32_axis0",
    json: spec(
      "CONCATENATION", [tensor([1, 4], "int32"), tensor([3, 4], "int32"), tensor([4, 4], "int32")],
      inputs: [0, 1], outputs: [2], graphInputs: [0, 1], options: #"{"axis": 0}"#)),
  OpCase(
    name: "split_v_int8_rest_size",
    json: spec(
      "SPLIT_V",
      [
        tensor([2, 7, 4], "int8", scale: q, zeroPoint: 0), tensor([3], "int32", data: [2, -1, 1]),
        tensor([], "int32", data: [1]), tensor([2, 2, 4], "int8", scale: q, zeroPoint: 0),
        tensor([2, 4, 4], "int8", scale: q, zeroPoint: 0), tensor([2, 1, 4], "int8", scale: q, zeroPoint: 0),
      ], inputs: [0, 1, 2], outputs: [3, 4, 5], graphInputs: [0], options: #"{"numSplits": 3}"#)),
  OpCase(
    name: "split_v_float_last_axis",
    json: spec(
      "SPLIT_V",
      [
        tensor([3, 10], "float32"), tensor([2], "int32", data: [4, 6]), tensor([], "int32", data: [-1]),
        tensor([3, 4], "float32"), tensor([3, 6], "float32"),
      ], inputs: [0, 1, 2], outputs: [3, 4], graphInputs: [0], options: #"{"numSplits": 2}"#)),
  OpCase(
    name: "pad_int8_uses_output_zero_point",
    json: spec(
      "PAD",
      [
        tensor([1, 3, 3, 2], "int8", scale: q, zeroPoint: -5),
        tensor([4, 2], "int32", data: [0, 0, 1, 2, 2, 1, 0, 0]),
        tensor([1, 6, 6, 2], "int8", scale: q, zeroPoint: -5),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "padv2_float_constant",
    json: spec(
      "PADV2",
      [
        tensor([2, 3], "float32"), tensor([2, 2], "int32", data: [1, 0, 0, 2]), tensor([], "float32", data: [1.5]),
        tensor([3, 5], "float32"),
      ], inputs: [0, 1, 2], outputs: [3], graphInputs: [0])),
  OpCase(
    name: "pad_int32_rank2",
    json: spec(
      "PAD", [tensor([2, 2], "int32"), tensor([2, 2], "int32", data: [2, 1, 1, 3]), tensor([5, 6], "int32")],
      inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "quantize_float_to_int8",
    json: spec(
      "QUANTIZE", [tensor([64], "float32"), tensor([64], "int8", scale: 0.05, zeroPoint: 3)],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "quantize_int8_to_uint8_same_scale",
    json: spec(
      "QUANTIZE",
      [tensor([1, 1], "int8", scale: 0.00390625, zeroPoint: -128), tensor([1, 1], "uint8", scale: 0.00390625, zeroPoint: 0)],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "quantize_int8_to_uint8_rescaled",
    json: spec(
      "QUANTIZE",
      [tensor([256], "int8", scale: 0.02, zeroPoint: -7), tensor([256], "uint8", scale: 0.013, zeroPoint: 100)],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "quantize_int8_requantize",
    json: spec(
      "QUANTIZE",
      [tensor([256], "int8", scale: 0.1, zeroPoint: -10), tensor([256], "int8", scale: 0.037, zeroPoint: 5)],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "quantize_uint8_to_int8",
    json: spec(
      "QUANTIZE",
      [tensor([256], "uint8", scale: 0.02, zeroPoint: 128), tensor([256], "int8", scale: 0.03, zeroPoint: 0)],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "quantize_int16_to_int8",
    json: spec(
      "QUANTIZE",
      [tensor([128], "int16", scale: 0.001, zeroPoint: 0), tensor([128], "int8", scale: 0.2, zeroPoint: -3)],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "dequantize_int8",
    json: spec(
      "DEQUANTIZE", [tensor([256], "int8", scale: 0.0390625, zeroPoint: -128), tensor([256], "float32")],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "dequantize_uint8",
    json: spec(
      "DEQUANTIZE", [tensor([256], "uint8", scale: 0.1019607, zeroPoint: 3), tensor([256], "float32")],
      inputs: [0], outputs: [1], graphInputs: [0])),
  OpCase(
    name: "reshape_with_shape_tensor",
    json: spec(
      "RESHAPE",
      [tensor([2, 3, 4], "int8", scale: q, zeroPoint: 0), tensor([2], "int32", data: [4, 6]), tensor([4, 6], "int8", scale: q, zeroPoint: 0)],
      inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "reshape_float_no_shape_tensor",
    json: spec(
      "RESHAPE", [tensor([1, 3, 40], "float32"), tensor([1, 3, 1, 40], "float32")], inputs: [0], outputs: [1],
      graphInputs: [0], options: #"{"newShape": [1, 3, 1, 40]}"#)),
]

/// Small graphs where keeping a tensor inside its variable's storage would be
/// wrong; the planner must see the overlap and copy instead.
let variableHazardCases: [OpCase] = [
  // The state read is still needed after the variable is overwritten.
  OpCase(
    name: "read_outlives_assign",
    json: """
      {"tensors": [\(tensor([1, 4], "int8", scale: q, zeroPoint: 0)), {"shape": [], "type": "resource"},
                   \(tensor([1, 4], "int8", scale: q, zeroPoint: 0)), \(tensor([2, 4], "int8", scale: q, zeroPoint: 0))],
       "ops": [{"op": "VAR_HANDLE", "inputs": [], "outputs": [1], "options": {"sharedName": "v"}},
               {"op": "READ_VARIABLE", "inputs": [1], "outputs": [2]},
               {"op": "ASSIGN_VARIABLE", "inputs": [1, 0], "outputs": []},
               {"op": "CONCATENATION", "inputs": [2, 0], "outputs": [3], "options": {"axis": 0}}],
       "graph_inputs": [0], "graph_outputs": [3]}
      """),
  // The new state is computed while the old one (read earlier) is still needed.
  OpCase(
    name: "new_state_computed_while_old_state_alive",
    json: """
      {"tensors": [\(tensor([1, 4], "int8", scale: q, zeroPoint: 0)), {"shape": [], "type": "resource"},
                   \(tensor([1, 4], "int8", scale: q, zeroPoint: 0)), \(tensor([1, 4], "int8", scale: q, zeroPoint: 0)),
                   \(tensor([2, 4], "int8", scale: q, zeroPoint: 0)), \(tensor([2], "int32", data: [0, 0])),
                   \(tensor([2], "int32", data: [1, 4])), \(tensor([2], "int32", data: [1, 1]))],
       "ops": [{"op": "VAR_HANDLE", "inputs": [], "outputs": [1], "options": {"sharedName": "v"}},
               {"op": "READ_VARIABLE", "inputs": [1], "outputs": [2]},
               {"op": "STRIDED_SLICE", "inputs": [0, 5, 6, 7], "outputs": [3], "options": {}},
               {"op": "CONCATENATION", "inputs": [2, 3], "outputs": [4], "options": {"axis": 0}},
               {"op": "ASSIGN_VARIABLE", "inputs": [1, 3], "outputs": []}],
       "graph_inputs": [0], "graph_outputs": [4]}
      """),
  // The variable is read while the value to assign is alive.
  OpCase(
    name: "read_between_new_state_and_assign",
    json: """
      {"tensors": [\(tensor([1, 4], "int8", scale: q, zeroPoint: 0)), {"shape": [], "type": "resource"},
                   \(tensor([1, 4], "int8", scale: q, zeroPoint: 0)), \(tensor([1, 4], "int8", scale: q, zeroPoint: 0)),
                   \(tensor([2, 4], "int8", scale: q, zeroPoint: 0)), \(tensor([2], "int32", data: [0, 0])),
                   \(tensor([2], "int32", data: [1, 4])), \(tensor([2], "int32", data: [1, 1]))],
       "ops": [{"op": "VAR_HANDLE", "inputs": [], "outputs": [1], "options": {"sharedName": "v"}},
               {"op": "STRIDED_SLICE", "inputs": [0, 5, 6, 7], "outputs": [3], "options": {}},
               {"op": "READ_VARIABLE", "inputs": [1], "outputs": [2]},
               {"op": "CONCATENATION", "inputs": [2, 3], "outputs": [4], "options": {"axis": 0}},
               {"op": "ASSIGN_VARIABLE", "inputs": [1, 3], "outputs": []}],
       "graph_inputs": [0], "graph_outputs": [4]}
      """),
]

@Suite struct StructuralOpTests {
  /// Five invocations of pseudo-random inputs (`Fixtures.opCaseOutputs`), every
  /// output byte equal to the live TFLM interpreter's.
  @Test(arguments: structuralCases + variableHazardCases)
  func matchesTFLM(_ c: OpCase) throws {
    let (actual, expected) = try Fixtures.opCaseOutputs(c, seed: 0, sweepFirst: false)
    #expect(actual == expected, "\(c.name): \(Fixtures.firstMismatches(actual, expected))")
  }

  /// The streaming front of a real model (state reads, RESHAPE, CONCATENATION,
  /// STRIDED_SLICE, ASSIGN_VARIABLE and the CALL_ONCE init graph), cut from
  /// okay_nabu before its first convolution, over 200 invocations; the outputs are
  /// the concatenated window and the next state.
  @Test func streamingFrontMatchesTFLM() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let cut = dir.appendingPathComponent("front.tflite").path
    _ = try TestSupport.reference(
      "submodel.py", [try Fixtures.wakeWordModel("okay_nabu"), cut, "--ops", "14", "--outputs", "58,59"])
    let runner = try ModelRunner(path: cut)
    var rng = SplitMix64(seed: 14)
    let input = rng.bytes(runner.inputBytes * 200)
    let expected = try Fixtures.tflm(cut, input)
    let actual = try Fixtures.ours(runner, input)
    #expect(actual == expected, Comment(rawValue: Fixtures.firstMismatches(actual, expected)))
  }

  /// Options TFLM would silently ignore are refused with the node named.
  @Test func refusesEllipsisMask() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let json = structuralCases[0].json.replacingOccurrences(of: #""endMask": 15"#, with: #""endMask": 15, "ellipsisMask": 2"#)
    let path = try Fixtures.opModel(json, in: dir, name: "ellipsis")
    #expect {
      _ = try ModelRunner(path: path)
    } throws: { error in
      "\(error)".contains("STRIDED_SLICE") && "\(error)".contains("node 0") && "\(error)".contains("ellipsis_mask")
    }
  }
}
