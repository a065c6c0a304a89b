"""Edge-case int8 models the converter never emits, made by editing committed ones.

    .venv/bin/python Tests/Reference/make_edge_models.py

No TensorFlow: each case loads a model from Tests/InferenceTests/OpModels/, edits it
with the flatbuffer object API of tflite_micro's schema, and writes edge_NAME.tflite
and edge_NAME.json (same vector format as make_op_models.py, expected outputs from
the TFLM Python interpreter). The cases pin TFLM behaviours that ordinary models do
not reach:

  softmax beta != 1, int8 in -> int16 out (scale 1/65536, zero point -32768);
  MEAN with identical input / output quantization (plain integer mean, truncating);
  grouped CONV_2D (filter depth = input depth / 2);
  per-tensor FULLY_CONNECTED whose input * weight scale product in Float gives another
  multiplier than in Double, with inputs that make the difference show in the output;
  fused activations on pools, ADD, MUL, FULLY_CONNECTED and DEPTHWISE_CONV_2D;
  ADD / MUL with an operand of lower rank than the output.
"""
import json
import os
import struct
import sys
import zlib

import flatbuffers
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from fixedpoint_oracle import mbqm, quantize  # noqa: E402
from tflite_describe import describe, schema  # noqa: E402
from tflm_op_check import run_cases  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPS = os.path.join(ROOT, "Tests", "InferenceTests", "OpModels")


def load(name):
  with open(os.path.join(OPS, name + ".tflite"), "rb") as f:
    return schema.ModelT.InitFromPackedBuf(f.read(), 0)


def pack(model):
  builder = flatbuffers.Builder(4096)
  builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
  return bytes(builder.Output())


def op_tensors(model):
  sub = model.subgraphs[0]
  op = sub.operators[0]
  return sub, op, [sub.tensors[i] if i >= 0 else None for i in op.inputs], \
      [sub.tensors[i] for i in op.outputs]


def set_quant(tensor, scales, zero_points):
  tensor.quantization.scale = [float(np.float32(s)) for s in scales]
  tensor.quantization.zeroPoint = [int(z) for z in zero_points]


def set_data(model, tensor, values, dtype):
  model.buffers[tensor.buffer].data = np.frombuffer(np.asarray(values, dtype=dtype).tobytes(),
                                                   dtype=np.uint8)


def write(name, model, cases=None):
  data = pack(model)
  path = os.path.join(OPS, name + ".tflite")
  with open(path, "wb") as f:
    f.write(data)
  described = describe(data)
  if cases is None:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    counts = [int(np.prod(described["inputs"][p]["shape"])) for p in described["graph_inputs"]]
    cases = [[[int(v) for v in rng.integers(-128, 128, n)] for n in counts] for _ in range(3)]
    cases.append([[127] * n for n in counts])
    cases.append([[-128 if i else 127 for i in range(n)] for n in counts])
  expected = run_cases(path, cases)
  vector = {"name": name, **described,
            "cases": [{"inputs": i, "outputs": o} for i, o in zip(cases, expected)]}
  with open(os.path.join(OPS, name + ".json"), "w") as f:
    json.dump(vector, f, separators=(",", ":"))
  print(f"{name}: {described['op']} {described['options']} {len(data)} B")


def softmax_cases():
  for base, beta, name in (("softmax_12", 0.5, "edge_softmax_beta_half"),
                           ("softmax_batch2_10", 3.0, "edge_softmax_beta_3"),
                           ("softmax_wide_range", 0.01, "edge_softmax_beta_small")):
    m = load(base)
    m.subgraphs[0].operators[0].builtinOptions.beta = beta
    write(name, m)
  m = load("softmax_12")
  sub, _, _, outs = op_tensors(m)
  outs[0].type = schema.TensorType.INT16
  set_quant(outs[0], [1 / 65536], [-32768])
  write("edge_softmax_int16_out", m)


def mean_cases():
  for base in ("mean_hw_keepdims", "mean_axis1", "mean_last_axis"):
    m = load(base)
    _, _, ins, outs = op_tensors(m)
    set_quant(outs[0], ins[0].quantization.scale, ins[0].quantization.zeroPoint)
    write("edge_" + base + "_same_quant", m)


def grouped_conv_case():
  m = load("conv_1x1_pointwise_relu")  # input [1,7,5,8], filter [6,1,1,8]
  _, _, ins, _ = op_tensors(m)
  filt = ins[1]
  old = np.frombuffer(m.buffers[filt.buffer].data.tobytes(), dtype=np.int8).reshape(6, 1, 1, 8)
  filt.shape = [6, 1, 1, 4]  # two groups of 4 input channels, 3 filters each
  set_data(m, filt, old[:, :, :, :4], np.int8)
  write("edge_conv_grouped", m)


def fc_float_product_case():
  """Per-tensor FC where Float(s_in * s_w) and Double(s_in) * Double(s_w) give different
  multipliers, and an accumulator value where that changes the output byte."""
  m = load("fc_nobias_per_tensor")  # input [1,24] -> 4, weights [4,24], no bias
  _, _, ins, outs = op_tensors(m)
  rng = np.random.default_rng(7)
  while True:
    s_in, s_w = np.float32(rng.uniform(0.002, 0.05)), np.float32(rng.uniform(0.002, 0.03))
    # Real multiplier 0.004 ... 0.008 so that accumulators up to 127 * 128 span int8.
    s_out = np.float32(float(s_in) * float(s_w) / rng.uniform(0.004, 0.008))
    as_float = float(np.float32(s_in * s_w)) / float(s_out)
    as_double = float(s_in) * float(s_w) / float(s_out)
    qf, qd = quantize(f32_bits_d(as_float)), quantize(f32_bits_d(as_double))
    if qf == qd:
      continue
    # Accumulators reachable as 127 * a + b with int8 inputs a, b (weights 127 and 1,
    # input zero point 0), with the output inside int8: find one where they disagree.
    zp_out = 0
    for a in range(-128, 128):
      for b in range(-128, 128):
        acc = 127 * a + b
        yf, yd = mbqm(acc, *qf), mbqm(acc, *qd)
        if yf != yd and -128 <= yf + zp_out <= 127:
          break
      else:
        continue
      break
    else:
      continue
    break
  print(f"fc float product: s_in {s_in} s_w {s_w} s_out {s_out}: {qf} vs {qd}, acc {acc}")
  set_quant(ins[0], [s_in], [0])
  set_quant(ins[1], [s_w], [0])
  set_quant(outs[0], [s_out], [zp_out])
  weights = np.zeros((4, 24), dtype=np.int8)
  weights[0, 0], weights[0, 1] = 127, 1
  weights[1, 0], weights[1, 1] = -127, -1
  weights[2, 2:] = rng.integers(-127, 128, 22)
  weights[3, :] = 1
  set_data(m, ins[1], weights, np.int8)
  x = [0] * 24
  x[0], x[1] = a, b
  cases = [[x], [[min(127, max(-128, -v)) for v in x]], [[int(v) for v in rng.integers(-128, 128, 24)]]]
  write("edge_fc_float_product", m, cases)


def f32_bits_d(x):
  return struct.unpack("<q", struct.pack("<d", x))[0]


def fused_activation_cases():
  """Fused activations the converter does not produce on these ops."""
  A = schema.ActivationFunctionType
  for base, act, name in (("avgpool_3x3_s1_same", A.RELU6, "edge_avgpool_relu6"),
                          ("maxpool_3x3_s2_same", A.RELU_N1_TO_1, "edge_maxpool_relu_n1_to_1"),
                          ("avgpool_2x2_s2_valid", A.RELU, "edge_avgpool_relu"),
                          ("add_2d", A.RELU6, "edge_add_relu6"),
                          ("mul_2d", A.RELU_N1_TO_1, "edge_mul_relu_n1_to_1"),
                          ("fc_16x6_relu", A.RELU_N1_TO_1, "edge_fc_relu_n1_to_1"),
                          ("dw_3x3_m2_s2_same", A.RELU_N1_TO_1, "edge_dw_relu_n1_to_1")):
    m = load(base)
    m.subgraphs[0].operators[0].builtinOptions.fusedActivationFunction = act
    write(name, m)


def rank_broadcast_cases():
  """Inputs of lower rank than the output (right-aligned broadcasting)."""
  for base, name in (("add_broadcast_channel_relu", "edge_add_rank1_operand"),
                     ("mul_broadcast_channel", "edge_mul_rank1_operand")):
    m = load(base)  # [1,4,4,3] (op) [1,1,1,3]
    _, _, ins, _ = op_tensors(m)
    ins[1].shape = [3]
    write(name, m)


def main():
  rank_broadcast_cases()
  fused_activation_cases()
  softmax_cases()
  mean_cases()
  grouped_conv_case()
  fc_float_product_case()


if __name__ == "__main__":
  main()
