// The ops added for models trained elsewhere (RELU, RELU6, LEAKY_RELU, HARD_SWISH,
// TANH, SUB, SQUEEZE, EXPAND_DIMS, SPLIT, MAXIMUM, MINIMUM, TRANSPOSE), each as a
// one-op model written by make_op_model.py with quantization parameters chosen to
// reach every branch (input and output scales that differ, multipliers above and
// below one, negative alpha, broadcasting, negative axes), run on pseudo-random
// inputs by our interpreter and by the live TFLM interpreter: every byte equal.
import Foundation
import Host
import Inference
import TestSupport
import Testing

/// A unary int8 op from `input` quantization to `output` quantization.
private func unary(
  _ op: String, _ shape: [Int], input: (Double, Int), output: (Double, Int), options: String = "{}"
) -> String {
  spec(
    op,
    [
      tensor(shape, "int8", scale: input.0, zeroPoint: input.1),
      tensor(shape, "int8", scale: output.0, zeroPoint: output.1),
    ], inputs: [0], outputs: [1], graphInputs: [0], options: options)
}

/// A binary op on two graph inputs (types and quantization per tensor).
private func binary(_ op: String, _ a: String, _ b: String, _ out: String, options: String = "{}")
  -> String
{
  spec(op, [a, b, out], inputs: [0, 1], outputs: [2], graphInputs: [0, 1], options: options)
}

let extendedCases: [OpCase] = [
  // RELU requantizes (multiplier below and above one) and clamps at the output zero point.
  OpCase(
    name: "relu_rescaled", json: unary("RELU", [2, 40], input: (0.1, -3), output: (0.05, -128))),
  OpCase(
    name: "relu_same_quantization",
    json: unary("RELU", [256], input: (0.05, 10), output: (0.05, 10))),
  OpCase(
    name: "relu_upscaled_positive_zp",
    json: unary("RELU", [1, 8, 8], input: (0.02, 40), output: (0.2, 20))),
  // RELU6 clamps raw bytes between the input's zero point and its quantized 6.
  OpCase(
    name: "relu6_full_range",
    json: unary("RELU6", [1, 5, 5, 8], input: (0.0235, -128), output: (0.0235, -128))),
  OpCase(name: "relu6_six_inside", json: unary("RELU6", [256], input: (0.1, 5), output: (0.1, 5))),
  OpCase(
    name: "relu6_six_clamped", json: unary("RELU6", [256], input: (0.01, 5), output: (0.01, 5))),
  OpCase(
    name: "relu6_output_scale_ignored",
    json: unary("RELU6", [64], input: (0.05, 0), output: (0.03, -100))),
  // LEAKY_RELU: typical alphas, alpha above one, negative alpha.
  OpCase(
    name: "leaky_relu_alpha_0_2",
    json: unary(
      "LEAKY_RELU", [2, 64], input: (0.1, 3), output: (0.08, 20), options: #"{"alpha": 0.2}"#)),
  OpCase(
    name: "leaky_relu_alpha_0_3_same_quantization",
    json: unary(
      "LEAKY_RELU", [256], input: (0.05, -10), output: (0.05, -10), options: #"{"alpha": 0.3}"#)),
  OpCase(
    name: "leaky_relu_alpha_1_5",
    json: unary(
      "LEAKY_RELU", [256], input: (0.03, 0), output: (0.07, -40), options: #"{"alpha": 1.5}"#)),
  OpCase(
    name: "leaky_relu_negative_alpha",
    json: unary(
      "LEAKY_RELU", [256], input: (0.04, 12), output: (0.05, -60), options: #"{"alpha": -0.5}"#)),
  // HARD_SWISH: the reluish shift left (large input scale), right (small), output
  // scales near and far from the input's.
  OpCase(
    name: "hard_swish_typical",
    json: unary("HARD_SWISH", [256], input: (0.05, -10), output: (0.04, -50))),
  OpCase(
    name: "hard_swish_wide_input",
    json: unary("HARD_SWISH", [256], input: (0.2, 0), output: (0.1, -100))),
  OpCase(
    name: "hard_swish_narrow_input",
    json: unary("HARD_SWISH", [256], input: (0.001, 5), output: (0.0006, -120))),
  OpCase(
    name: "hard_swish_coarse_output",
    json: unary("HARD_SWISH", [256], input: (0.03, 7), output: (3.0, -128))),
  // Output shift beyond 16 bits: gemmlowp's int16 rounding shift with its mask
  // truncated to int16.
  OpCase(
    name: "hard_swish_output_shift_17",
    json: unary("HARD_SWISH", [256], input: (0.05, 0), output: (60.0, 0))),
  OpCase(
    name: "hard_swish_4d",
    json: unary("HARD_SWISH", [1, 4, 4, 16], input: (0.07, -128), output: (0.05, -110))),
  // TANH: output 1/128, zero point 0; scales that do and do not saturate.
  OpCase(
    name: "tanh_typical", json: unary("TANH", [256], input: (0.05, 0), output: (1.0 / 128, 0))),
  OpCase(
    name: "tanh_offset_input",
    json: unary("TANH", [256], input: (0.02, -20), output: (1.0 / 128, 0))),
  OpCase(
    name: "tanh_saturating", json: unary("TANH", [256], input: (0.3, 50), output: (1.0 / 128, 0))),
  OpCase(
    name: "tanh_fine", json: unary("TANH", [2, 128], input: (0.004, 3), output: (1.0 / 128, 0))),
  // SUB: scales that differ, fused activation, broadcasting either way.
  OpCase(
    name: "sub_same_shape",
    json: binary(
      "SUB", tensor([1, 4, 4, 3], "int8", scale: 0.05, zeroPoint: 3),
      tensor([1, 4, 4, 3], "int8", scale: 0.11, zeroPoint: -7),
      tensor([1, 4, 4, 3], "int8", scale: 0.09, zeroPoint: 2))),
  OpCase(
    name: "sub_broadcast_channel_relu",
    json: binary(
      "SUB", tensor([1, 4, 4, 3], "int8", scale: 0.02, zeroPoint: -128),
      tensor([1, 1, 1, 3], "int8", scale: 0.013, zeroPoint: 0),
      tensor([1, 4, 4, 3], "int8", scale: 0.03, zeroPoint: -128),
      options: #"{"fusedActivationFunction": 1}"#)),
  OpCase(
    name: "sub_broadcast_both",
    json: binary(
      "SUB", tensor([1, 3, 1, 4], "int8", scale: 0.2, zeroPoint: 10),
      tensor([1, 1, 5, 4], "int8", scale: 0.05, zeroPoint: -5),
      tensor([1, 3, 5, 4], "int8", scale: 0.25, zeroPoint: 0))),
  OpCase(
    name: "sub_rank1_operand_first",
    json: binary(
      "SUB", tensor([4], "int8", scale: 0.07, zeroPoint: 1),
      tensor([2, 3, 4], "int8", scale: 0.07, zeroPoint: 1),
      tensor([2, 3, 4], "int8", scale: 0.1, zeroPoint: 0))),
  OpCase(
    name: "sub_relu6",
    json: binary(
      "SUB", tensor([64], "int8", scale: 0.04, zeroPoint: -20),
      tensor([64], "int8", scale: 0.06, zeroPoint: 30),
      tensor([64], "int8", scale: 0.03, zeroPoint: -128),
      options: #"{"fusedActivationFunction": 3}"#)),
  // MAXIMUM / MINIMUM: raw comparisons, broadcasting, every element type.
  OpCase(
    name: "maximum_int8_same_shape",
    json: binary(
      "MAXIMUM", tensor([3, 20], "int8", scale: 0.05, zeroPoint: 0),
      tensor([3, 20], "int8", scale: 0.05, zeroPoint: 0),
      tensor([3, 20], "int8", scale: 0.05, zeroPoint: 0))),
  OpCase(
    name: "maximum_int8_broadcast_scalar",
    json: binary(
      "MAXIMUM", tensor([2, 5, 6], "int8", scale: 0.05, zeroPoint: -3),
      tensor([1], "int8", scale: 0.05, zeroPoint: -3),
      tensor([2, 5, 6], "int8", scale: 0.05, zeroPoint: -3))),
  OpCase(
    name: "minimum_int8_broadcast_both",
    json: binary(
      "MINIMUM", tensor([1, 3, 1, 4], "int8", scale: 0.05, zeroPoint: 0),
      tensor([1, 1, 5, 4], "int8", scale: 0.05, zeroPoint: 0),
      tensor([1, 3, 5, 4], "int8", scale: 0.05, zeroPoint: 0))),
  OpCase(
    name: "minimum_float_broadcast",
    json: binary(
      "MINIMUM", tensor([4, 1], "float32"), tensor([4, 6], "float32"), tensor([4, 6], "float32"))),
  OpCase(
    name: "maximum_int16",
    json: binary(
      "MAXIMUM", tensor([40], "int16", scale: 0.001, zeroPoint: 0),
      tensor([40], "int16", scale: 0.001, zeroPoint: 0),
      tensor([40], "int16", scale: 0.001, zeroPoint: 0))),
  OpCase(
    name: "minimum_int32_broadcast",
    json: binary(
      "MINIMUM", tensor([3, 1, 2], "int32"), tensor([5, 1], "int32"), tensor([3, 5, 2], "int32"))),
  // TRANSPOSE: permutations of rank 2 to 5, element sizes 1, 2, 4.
  OpCase(
    name: "transpose_int8_rank3",
    json: spec(
      "TRANSPOSE",
      [
        tensor([2, 3, 4], "int8", scale: 0.05, zeroPoint: 0),
        tensor([3], "int32", data: [2, 0, 1]),
        tensor([4, 2, 3], "int8", scale: 0.05, zeroPoint: 0),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "transpose_float_time_major",
    json: spec(
      "TRANSPOSE",
      [
        tensor([1, 5, 40], "float32"), tensor([3], "int32", data: [0, 2, 1]),
        tensor([1, 40, 5], "float32"),
      ],
      inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "transpose_int16_rank5",
    json: spec(
      "TRANSPOSE",
      [
        tensor([2, 1, 3, 2, 2], "int16", scale: 0.001, zeroPoint: 0),
        tensor([5], "int32", data: [4, 2, 0, 3, 1]),
        tensor([2, 3, 2, 2, 1], "int16", scale: 0.001, zeroPoint: 0),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "transpose_int8_rank2",
    json: spec(
      "TRANSPOSE",
      [
        tensor([7, 5], "int8", scale: 0.05, zeroPoint: 0), tensor([2], "int32", data: [1, 0]),
        tensor([5, 7], "int8", scale: 0.05, zeroPoint: 0),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0])),
  // SPLIT: axis first, negative axis, several outputs.
  OpCase(
    name: "split_int8_last_axis",
    json: spec(
      "SPLIT",
      [
        tensor([], "int32", data: [-1]), tensor([1, 10, 8], "int8", scale: 0.05, zeroPoint: 0),
        tensor([1, 10, 4], "int8", scale: 0.05, zeroPoint: 0),
        tensor([1, 10, 4], "int8", scale: 0.05, zeroPoint: 0),
      ], inputs: [0, 1], outputs: [2, 3], graphInputs: [1], options: #"{"numSplits": 2}"#)),
  OpCase(
    name: "split_float_axis0_three",
    json: spec(
      "SPLIT",
      [
        tensor([1], "int32", data: [0]), tensor([6, 4], "float32"), tensor([2, 4], "float32"),
        tensor([2, 4], "float32"), tensor([2, 4], "float32"),
      ], inputs: [0, 1], outputs: [2, 3, 4], graphInputs: [1], options: #"{"numSplits": 3}"#)),
  // SQUEEZE and EXPAND_DIMS: explicit, implicit and negative dimensions.
  OpCase(
    name: "squeeze_int8_dim2",
    json: spec(
      "SQUEEZE",
      [
        tensor([1, 9, 1, 16], "int8", scale: 0.05, zeroPoint: 4),
        tensor([1, 9, 16], "int8", scale: 0.05, zeroPoint: 4),
      ],
      inputs: [0], outputs: [1], graphInputs: [0], options: #"{"squeezeDims": [2]}"#)),
  OpCase(
    name: "squeeze_float_all_ones",
    json: spec(
      "SQUEEZE", [tensor([1, 5, 1, 1], "float32"), tensor([5], "float32")], inputs: [0],
      outputs: [1],
      graphInputs: [0])),
  OpCase(
    name: "squeeze_int8_negative_dim",
    json: spec(
      "SQUEEZE",
      [
        tensor([2, 1, 3], "int8", scale: 0.05, zeroPoint: 0),
        tensor([2, 3], "int8", scale: 0.05, zeroPoint: 0),
      ],
      inputs: [0], outputs: [1], graphInputs: [0], options: #"{"squeezeDims": [-2]}"#)),
  OpCase(
    name: "expand_dims_int8_axis2",
    json: spec(
      "EXPAND_DIMS",
      [
        tensor([1, 9, 16], "int8", scale: 0.05, zeroPoint: 0), tensor([1], "int32", data: [2]),
        tensor([1, 9, 1, 16], "int8", scale: 0.05, zeroPoint: 0),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "expand_dims_float_negative_axis",
    json: spec(
      "EXPAND_DIMS",
      [tensor([5], "float32"), tensor([], "int32", data: [-1]), tensor([5, 1], "float32")],
      inputs: [0, 1], outputs: [2], graphInputs: [0])),
  OpCase(
    name: "expand_dims_int8_axis0",
    json: spec(
      "EXPAND_DIMS",
      [
        tensor([3, 4], "int8", scale: 0.05, zeroPoint: 0), tensor([1], "int32", data: [0]),
        tensor([1, 3, 4], "int8", scale: 0.05, zeroPoint: 0),
      ], inputs: [0, 1], outputs: [2], graphInputs: [0])),
]

/// A Conv1D-style block as converters write it: EXPAND_DIMS, an activation, SQUEEZE,
/// with the shape-only ops sharing bytes with their neighbours in the memory plan.
let extendedGraphCases: [OpCase] = [
  OpCase(
    name: "expand_relu6_squeeze",
    json: """
      {"tensors": [\(tensor([1, 9, 16], "int8", scale: 0.05, zeroPoint: -20)), \(tensor([1], "int32", data: [1])),
                   \(tensor([1, 1, 9, 16], "int8", scale: 0.05, zeroPoint: -20)),
                   \(tensor([1, 1, 9, 16], "int8", scale: 0.05, zeroPoint: -20)),
                   \(tensor([1, 9, 16], "int8", scale: 0.05, zeroPoint: -20))],
       "ops": [{"op": "EXPAND_DIMS", "inputs": [0, 1], "outputs": [2]},
               {"op": "RELU6", "inputs": [2], "outputs": [3]},
               {"op": "SQUEEZE", "inputs": [3], "outputs": [4], "options": {"squeezeDims": [1]}}],
       "graph_inputs": [0], "graph_outputs": [4]}
      """),
  OpCase(
    name: "split_sub_maximum",
    json: """
      {"tensors": [\(tensor([], "int32", data: [2])), \(tensor([1, 6, 8], "int8", scale: 0.05, zeroPoint: 0)),
                   \(tensor([1, 6, 4], "int8", scale: 0.05, zeroPoint: 0)), \(tensor([1, 6, 4], "int8", scale: 0.05, zeroPoint: 0)),
                   \(tensor([1, 6, 4], "int8", scale: 0.08, zeroPoint: -3)), \(tensor([1, 6, 4], "int8", scale: 0.08, zeroPoint: -3))],
       "ops": [{"op": "SPLIT", "inputs": [0, 1], "outputs": [2, 3], "options": {"numSplits": 2}},
               {"op": "SUB", "inputs": [2, 3], "outputs": [4]},
               {"op": "MAXIMUM", "inputs": [4, 4], "outputs": [5]}],
       "graph_inputs": [1], "graph_outputs": [5]}
      """),
]

@Suite struct ExtendedOpTests {
  /// Five invocations of pseudo-random inputs per model, every output byte equal to
  /// the live TFLM interpreter's.
  @Test(arguments: extendedCases + extendedGraphCases)
  func matchesTFLM(_ c: OpCase) throws {
    let (actual, expected) = try Fixtures.opCaseOutputs(c, seed: 3, sweepFirst: true)
    #expect(actual == expected, "\(c.name): \(Fixtures.firstMismatches(actual, expected))")
  }

  /// SQUEEZE and EXPAND_DIMS cost no arena bytes of their own: the plan of the
  /// EXPAND_DIMS / RELU6 / SQUEEZE chain holds two 144-byte tensors, not four.
  @Test func shapeOnlyOpsShareBytes() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let c = extendedGraphCases[0]
    let file = try ModelFile(path: try Fixtures.opModel(c.json, in: dir, name: c.name))
    let bytes = try Interpreter.arenaBytesRequired(for: file.model)
    #expect(bytes == 2 * 144, "arena \(bytes) B")
  }

  /// keras_conv1d as older converters wrote it (make_legacy_conv1d.py: EXPAND_DIMS and
  /// SQUEEZE instead of the RESHAPEs around each CONV_2D): the same arena as the
  /// RESHAPE twin (the shape-only ops alias their input) and the same bytes as live TFLM.
  @Test func legacyConv1DExportMatchesTFLM() throws {
    let dir = "Tests/InferenceTests/Models/"
    let legacyPath = TestSupport.path(dir + "keras_conv1d_expand_squeeze.tflite")
    let legacy = try ModelFile(path: legacyPath)
    let twin = try ModelFile(path: TestSupport.path(dir + "keras_conv1d.tflite"))
    let kinds = legacy.model.subgraphs[0].operators.map(\.kind)
    #expect(kinds.filter { $0 == .expandDims }.count == 3)
    #expect(kinds.filter { $0 == .squeeze }.count == 3)
    #expect(!kinds.contains(.reshape))
    #expect(
      try Interpreter.arenaBytesRequired(for: legacy.model)
        == Interpreter.arenaBytesRequired(for: twin.model))
    let runner = try ModelRunner(path: legacyPath)
    var rng = SplitMix64(seed: 0x1E6A)
    let input = rng.bytes(runner.inputBytes * 6)
    let ours = try Fixtures.ours(runner, input)
    #expect(ours == (try Fixtures.tflm(legacyPath, input)))
    #expect(Set(ours).count > 2, "scores vary with the input")
  }

  /// Models our kernels refuse are refused when the interpreter is built, naming the
  /// operator, the node and the rule.
  @Test(arguments: [
    (
      "transpose_runtime_perm",
      spec(
        "TRANSPOSE",
        [
          tensor([2, 3], "int8", scale: 0.05, zeroPoint: 0), tensor([2], "int32"),
          tensor([3, 2], "int8", scale: 0.05, zeroPoint: 0),
        ],
        inputs: [0, 1], outputs: [2], graphInputs: [0, 1]),
      "TRANSPOSE (builtin code 39) at node 0 of subgraph 0: index operand must be constant"
    ),
    (
      "split_uneven",
      spec(
        "SPLIT",
        [
          tensor([], "int32", data: [1]), tensor([2, 5], "int8", scale: 0.05, zeroPoint: 0),
          tensor([2, 2], "int8", scale: 0.05, zeroPoint: 0),
          tensor([2, 3], "int8", scale: 0.05, zeroPoint: 0),
        ], inputs: [0, 1], outputs: [2, 3], graphInputs: [1], options: #"{"numSplits": 2}"#),
      "invalid SPLIT at node 0 of subgraph 0: axis size is not a multiple of num_splits (value 5)"
    ),
    (
      "hard_swish_output_scale_too_fine",
      unary("HARD_SWISH", [8], input: (0.5, 0), output: (0.001, 0)),
      "invalid HARD_SWISH at node 0 of subgraph 0: output scale must be at least input scale / 128"
    ),
    (
      "squeeze_non_unit_dim",
      spec(
        "SQUEEZE", [tensor([2, 3], "float32"), tensor([2], "float32")], inputs: [0], outputs: [1],
        graphInputs: [0],
        options: #"{"squeezeDims": [1]}"#),
      "invalid SQUEEZE at node 0 of subgraph 0: squeezed dimension is not of size 1 (value 1)"
    ),
    (
      "transpose_int32",
      spec(
        "TRANSPOSE",
        [tensor([7, 5], "int32"), tensor([2], "int32", data: [1, 0]), tensor([5, 7], "int32")],
        inputs: [0, 1], outputs: [2], graphInputs: [0]),
      "unsupported: TRANSPOSE (builtin code 39) at node 0 of subgraph 0: tensor type (schema TensorType code) not handled (value 2)"
    ),
    (
      "expand_dims_int16_axis",
      spec(
        "EXPAND_DIMS",
        [
          tensor([3, 4], "float32"), tensor([1], "int16", data: [0]), tensor([1, 3, 4], "float32"),
        ],
        inputs: [0, 1], outputs: [2], graphInputs: [0]),
      "unsupported: EXPAND_DIMS (builtin code 70) at node 0 of subgraph 0: index operand must be int32"
    ),
    (
      "tanh_float",
      #"{"op": "TANH", "tensors": [{"shape": [4], "type": "float32"}, {"shape": [4], "type": "float32"}], "inputs": [0], "outputs": [1], "graph_inputs": [0]}"#,
      "unsupported: TANH (builtin code 28) at node 0 of subgraph 0: input must be int8"
    ),
  ])
  func refusedWithAClearError(_ name: String, _ json: String, _ message: String) throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = try ModelFile(path: try Fixtures.opModel(json, in: dir, name: name))
    #expect {
      _ = try Interpreter.arenaBytesRequired(for: file.model)
    } throws: { error in
      "\(error)".contains(message)
    }
  }
}
