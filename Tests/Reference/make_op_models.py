"""Builds small single-op int8 models and their kernel test vectors.

Run with the training venv (TensorFlow is needed here and only here):

    /work/wt/.venv-train/bin/python Tests/Reference/make_op_models.py

For every case it writes into Tests/InferenceTests/OpModels/:
  NAME.tflite  a one-op int8 model (int8 input and output), converted by
               TFLiteConverter with a representative data set;
  NAME.json    everything a kernel-level test needs: the op and its options,
               every op input / output tensor (shape, scales, zero points,
               constant data), a few int8 inputs and the outputs that the
               TFLite Micro Python interpreter (the live reference) gives.

Models are built from plain tf ops in a tf.function (no Keras), so each case
states exactly which op it wants. Deterministic: fixed seeds.
"""
import json
import os
import sys
import zlib

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(__file__))
from tflm_op_check import run_cases  # noqa: E402
from tflite_describe import describe  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "InferenceTests", "OpModels")

# ---------------------------------------------------------------- conversion

def convert(fn, input_specs, ranges, per_tensor_dense=False, seed=0):
  """Converts a tf.function to a fully int8 .tflite with calibrated ranges."""
  rng = np.random.default_rng(seed + 1000)

  def representative():
    for _ in range(64):
      yield [rng.uniform(lo, hi, spec.shape).astype(np.float32)
             for spec, (lo, hi) in zip(input_specs, ranges)]

  concrete = fn.get_concrete_function(*input_specs)
  converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], fn)
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  converter.representative_dataset = representative
  converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  converter.inference_input_type = tf.int8
  converter.inference_output_type = tf.int8
  if per_tensor_dense:
    converter._experimental_disable_per_channel_quantization_for_dense_layers = True
  return converter.convert()


# --------------------------------------------------------------------- cases

def spec(*shape):
  return tf.TensorSpec(shape, tf.float32)


def weights(rng, shape, channel_axis):
  """Random weights whose per-channel magnitudes differ (exercises per-channel scales)."""
  w = rng.normal(0, 1, shape).astype(np.float32)
  gains = rng.uniform(0.05, 2.0, shape[channel_axis]).astype(np.float32)
  bshape = [1] * len(shape)
  bshape[channel_axis] = shape[channel_axis]
  return w * gains.reshape(bshape)


def act(x, name):
  if name == "relu":
    return tf.nn.relu(x)
  if name == "relu6":
    return tf.nn.relu6(x)
  if name == "relu1":
    return tf.minimum(tf.maximum(x, -1.0), 1.0)
  return x


def conv_case(rng, h, w, c, o, kh, kw, stride=(1, 1), dilation=(1, 1), padding="SAME",
              activation="none", batch=1, bias=True):
  filt = weights(rng, (kh, kw, c, o), 3)
  b = rng.normal(0, 0.5, o).astype(np.float32)

  @tf.function
  def fn(x):
    y = tf.nn.conv2d(x, filt, strides=[1, *stride, 1], padding=padding, dilations=[1, *dilation, 1])
    if bias:
      y = tf.nn.bias_add(y, b)
    return act(y, activation)
  return fn, [spec(batch, h, w, c)]


def dw_case(rng, h, w, c, m, kh, kw, stride=(1, 1), dilation=(1, 1), padding="SAME",
            activation="none"):
  filt = weights(rng, (kh, kw, c, m), 2)
  b = rng.normal(0, 0.5, c * m).astype(np.float32)

  @tf.function
  def fn(x):
    y = tf.nn.depthwise_conv2d(x, filt, strides=[1, *stride, 1], padding=padding,
                               dilations=list(dilation))
    return act(tf.nn.bias_add(y, b), activation)
  return fn, [spec(1, h, w, c)]


def fc_case(rng, in_shape, units, activation="none", bias=True):
  depth = in_shape[-1]
  wmat = weights(rng, (depth, units), 1)
  b = rng.normal(0, 0.5, units).astype(np.float32)

  @tf.function
  def fn(x):
    if len(in_shape) == 2:
      y = tf.matmul(x, wmat)
    else:
      y = tf.tensordot(x, wmat, axes=[[len(in_shape) - 1], [0]])
    if bias:
      y = y + b
    return act(y, activation)
  return fn, [spec(*in_shape)]


def pool_case(kind, h, w, c, kh, kw, stride, padding):
  @tf.function
  def fn(x):
    if kind == "avg":
      return tf.nn.avg_pool2d(x, [kh, kw], [*stride], padding)
    return tf.nn.max_pool2d(x, [kh, kw], [*stride], padding)
  return fn, [spec(1, h, w, c)]


def unary_case(kind, shape):
  @tf.function
  def fn(x):
    return tf.nn.softmax(x) if kind == "softmax" else tf.sigmoid(x)
  return fn, [spec(*shape)]


def binary_case(kind, shape_a, shape_b, activation="none"):
  @tf.function
  def fn(a, b):
    y = a + b if kind == "add" else a * b
    return act(y, activation)
  return fn, [spec(*shape_a), spec(*shape_b)]


def activation_case(kind, shape, alpha=0.2):
  """A standalone activation layer (what Keras exports when the activation is its own layer)."""
  @tf.function
  def fn(x):
    if kind == "relu":
      return tf.nn.relu(x)
    if kind == "relu6":
      return tf.nn.relu6(x)
    if kind == "leaky_relu":
      return tf.nn.leaky_relu(x, alpha=alpha)
    if kind == "hard_swish":
      return x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0)
    return tf.tanh(x)
  return fn, [spec(*shape)]


def sub_case(shape_a, shape_b, activation="none"):
  @tf.function
  def fn(a, b):
    return act(a - b, activation)
  return fn, [spec(*shape_a), spec(*shape_b)]


def max_min_case(kind, shape_a, shape_b):
  @tf.function
  def fn(a, b):
    return tf.maximum(a, b) if kind == "maximum" else tf.minimum(a, b)
  return fn, [spec(*shape_a), spec(*shape_b)]


def transpose_case(shape, perm):
  @tf.function
  def fn(x):
    return tf.transpose(x, perm)
  return fn, [spec(*shape)]


def mean_case(shape, axes, keep_dims):
  @tf.function
  def fn(x):
    return tf.reduce_mean(x, axis=axes, keepdims=keep_dims)
  return fn, [spec(*shape)]


def cases():
  """(name, builder, input ranges, extra converter flags)."""
  rng = np.random.default_rng(20261125)
  out = []

  def add(name, built, ranges, **flags):
    out.append((name, built, ranges, flags))

  # CONV_2D: strides, SAME offsets on odd/even sizes, dilation, activations, batch.
  add("conv_3x3_s1_same_relu", conv_case(rng, 9, 7, 3, 5, 3, 3, activation="relu"), [(-1, 1)])
  add("conv_3x2_s2_same", conv_case(rng, 10, 8, 2, 4, 3, 2, stride=(2, 2)), [(-0.5, 2)])
  add("conv_4x3_s2_valid_relu6", conv_case(rng, 11, 9, 3, 6, 4, 3, stride=(2, 2), padding="VALID",
                                           activation="relu6"), [(-3, 3)])
  add("conv_3x3_d2_same", conv_case(rng, 12, 10, 2, 3, 3, 3, dilation=(2, 2)), [(-1, 1)])
  add("conv_2x2_d2x3_valid_relu", conv_case(rng, 9, 9, 2, 3, 2, 2, dilation=(2, 3), padding="VALID",
                                            activation="relu"), [(0, 4)])
  add("conv_10x4_s2_same_relu_dscnn", conv_case(rng, 49, 10, 1, 8, 10, 4, stride=(2, 2),
                                                activation="relu"), [(-30, 40)])
  add("conv_1x1_pointwise_relu", conv_case(rng, 7, 5, 8, 6, 1, 1, activation="relu"), [(0, 6)])
  add("conv_3x3_s2x1_same", conv_case(rng, 8, 6, 3, 5, 3, 3, stride=(2, 1)), [(-2, 1)])
  add("conv_5x5_same_bigpad", conv_case(rng, 6, 5, 3, 2, 5, 5), [(-1, 1)])
  add("conv_3x3_batch2_relu1", conv_case(rng, 6, 6, 2, 3, 3, 3, batch=2, activation="relu1"),
      [(-1, 1)])
  add("conv_3x3_nobias", conv_case(rng, 7, 6, 2, 4, 3, 3, bias=False), [(-1, 3)])

  # DEPTHWISE_CONV_2D: multipliers, strides, dilation, activations.
  add("dw_3x3_m1_same_relu", dw_case(rng, 9, 7, 4, 1, 3, 3, activation="relu"), [(-1, 1)])
  add("dw_3x3_m2_s2_same", dw_case(rng, 10, 8, 3, 2, 3, 3, stride=(2, 2)), [(-0.5, 2)])
  add("dw_3x3_m3_valid_relu6", dw_case(rng, 11, 9, 2, 3, 3, 3, padding="VALID", activation="relu6"),
      [(-3, 3)])
  add("dw_3x3_d2_same", dw_case(rng, 12, 10, 4, 1, 3, 3, dilation=(2, 2)), [(-1, 1)])
  add("dw_3x2_m2_s1x2_valid_relu", dw_case(rng, 8, 8, 3, 2, 3, 2, stride=(1, 2), padding="VALID",
                                           activation="relu"), [(0, 5)])
  add("dw_3x3_dscnn_relu", dw_case(rng, 25, 5, 8, 1, 3, 3, activation="relu"), [(0, 6)])
  add("dw_5x5_s2_same", dw_case(rng, 7, 9, 2, 1, 5, 5, stride=(2, 2)), [(-2, 2)])

  # FULLY_CONNECTED: per-channel (default) and per-tensor weights, batch, 3-D input.
  add("fc_16x6_relu", fc_case(rng, (1, 16), 6, activation="relu"), [(-1, 1)])
  add("fc_batch2_20x7", fc_case(rng, (2, 20), 7), [(-2, 3)])
  add("fc_64x12_dscnn", fc_case(rng, (1, 64), 12), [(0, 6)])
  add("fc_64x12_per_tensor", fc_case(rng, (1, 64), 12), [(0, 6)], per_tensor_dense=True)
  add("fc_3d_keepdims", fc_case(rng, (1, 3, 10), 5), [(-1, 1)])
  add("fc_nobias_per_tensor", fc_case(rng, (1, 24), 4, bias=False), [(-1, 2)], per_tensor_dense=True)
  add("fc_relu6_per_tensor", fc_case(rng, (1, 12), 9, activation="relu6"), [(-4, 4)],
      per_tensor_dense=True)

  # AVERAGE_POOL_2D / MAX_POOL_2D.
  add("avgpool_2x2_s2_valid", pool_case("avg", 8, 6, 3, 2, 2, (2, 2), "VALID"), [(-1, 1)])
  add("avgpool_3x3_s1_same", pool_case("avg", 7, 5, 2, 3, 3, (1, 1), "SAME"), [(-2, 3)])
  add("avgpool_25x5_dscnn", pool_case("avg", 25, 5, 8, 25, 5, (1, 1), "VALID"), [(0, 6)])
  add("avgpool_3x2_s2_same", pool_case("avg", 9, 7, 3, 3, 2, (2, 2), "SAME"), [(-5, 1)])
  add("maxpool_2x2_s2_valid", pool_case("max", 8, 6, 3, 2, 2, (2, 2), "VALID"), [(-1, 1)])
  add("maxpool_3x3_s2_same", pool_case("max", 9, 7, 2, 3, 3, (2, 2), "SAME"), [(-2, 3)])
  add("maxpool_2x3_s1_same", pool_case("max", 5, 6, 4, 2, 3, (1, 1), "SAME"), [(0, 4)])

  # SOFTMAX (int8 in, int8 out), input scales from tiny to huge.
  add("softmax_12", unary_case("softmax", (1, 12)), [(-8, 8)])
  add("softmax_batch2_10", unary_case("softmax", (2, 10)), [(-1, 1)])
  add("softmax_3d_7", unary_case("softmax", (1, 3, 7)), [(-60, 60)])
  add("softmax_wide_range", unary_case("softmax", (1, 20)), [(-400, 300)])
  add("softmax_2", unary_case("softmax", (1, 2)), [(-4, 4)])

  # LOGISTIC (int8).
  add("logistic_8", unary_case("logistic", (1, 40)), [(-8, 8)])
  add("logistic_narrow", unary_case("logistic", (1, 30)), [(-1, 1)])
  add("logistic_wide", unary_case("logistic", (1, 30)), [(-40, 40)])
  add("logistic_offset", unary_case("logistic", (2, 16)), [(0, 10)])

  # ADD / MUL (int8), with and without broadcasting.
  add("add_same_shape", binary_case("add", (1, 4, 4, 3), (1, 4, 4, 3)), [(-1, 1), (-3, 2)])
  add("add_broadcast_channel_relu", binary_case("add", (1, 4, 4, 3), (1, 1, 1, 3), "relu"),
      [(-2, 2), (-0.5, 0.5)])
  add("add_broadcast_both", binary_case("add", (1, 3, 1, 4), (1, 1, 5, 4)), [(-1, 4), (-6, 1)])
  add("add_2d", binary_case("add", (3, 7), (3, 7)), [(-100, 100), (-1, 1)])
  add("mul_same_shape", binary_case("mul", (1, 4, 4, 3), (1, 4, 4, 3)), [(-1, 1), (-3, 2)])
  add("mul_broadcast_channel", binary_case("mul", (1, 4, 4, 3), (1, 1, 1, 3)), [(-2, 2), (0, 1)])
  add("mul_broadcast_both_relu", binary_case("mul", (1, 3, 1, 4), (1, 1, 5, 4), "relu"),
      [(-1, 4), (-6, 1)])
  add("mul_2d", binary_case("mul", (2, 9), (2, 9)), [(-10, 10), (-0.2, 0.3)])

  # MEAN (int8).
  add("mean_hw_keepdims", mean_case((1, 5, 4, 6), [1, 2], True), [(-1, 1)])
  add("mean_hw", mean_case((1, 25, 5, 8), [1, 2], False), [(0, 6)])
  add("mean_last_axis", mean_case((1, 3, 4, 7), [3], True), [(-2, 3)])
  add("mean_axis1", mean_case((2, 6, 5), [1], False), [(-5, 1)])
  add("mean_negative_axis", mean_case((1, 4, 9), [-1], False), [(0, 2)])

  # Standalone activations (int8), as converters write them when the activation is
  # a layer of its own.
  add("relu_standalone", activation_case("relu", (1, 6, 6, 4)), [(-2, 3)])
  add("relu_narrow", activation_case("relu", (2, 50)), [(-0.3, 0.2)])
  add("relu6_standalone", activation_case("relu6", (1, 6, 6, 4)), [(-4, 9)])
  add("relu6_inside_range", activation_case("relu6", (1, 64)), [(-1, 2)])
  add("leaky_relu_0_2", activation_case("leaky_relu", (1, 8, 8, 2), alpha=0.2), [(-3, 3)])
  add("leaky_relu_0_01", activation_case("leaky_relu", (1, 100), alpha=0.01), [(-50, 10)])
  add("hard_swish_standalone", activation_case("hard_swish", (1, 6, 6, 4)), [(-5, 5)])
  add("hard_swish_wide", activation_case("hard_swish", (1, 100)), [(-20, 40)])
  add("tanh_standalone", activation_case("tanh", (1, 100)), [(-3, 3)])
  add("tanh_wide", activation_case("tanh", (2, 60)), [(-20, 5)])

  # SUB (int8), with and without broadcasting.
  add("sub_same_shape", sub_case((1, 4, 4, 3), (1, 4, 4, 3)), [(-1, 1), (-3, 2)])
  add("sub_broadcast_channel", sub_case((1, 4, 4, 3), (1, 1, 1, 3)), [(-2, 2), (-0.5, 0.5)])
  add("sub_broadcast_both_relu", sub_case((1, 3, 1, 4), (1, 1, 5, 4), "relu"), [(-1, 4), (-6, 1)])
  add("sub_2d", sub_case((3, 7), (3, 7)), [(-100, 100), (-1, 1)])

  # MAXIMUM / MINIMUM (int8).
  add("maximum_same_shape", max_min_case("maximum", (1, 4, 4, 3), (1, 4, 4, 3)), [(-1, 1), (-1, 1)])
  add("minimum_broadcast", max_min_case("minimum", (2, 5, 6), (1, 1, 6)), [(-2, 2), (-2, 2)])

  # TRANSPOSE (int8).
  add("transpose_021", transpose_case((1, 5, 12), [0, 2, 1]), [(-1, 1)])
  add("transpose_nhwc_nchw", transpose_case((1, 4, 3, 5), [0, 3, 1, 2]), [(-2, 2)])
  return out


def int8_inputs(rng, described, built, ranges, count):
  """Two uniform random int8 inputs and one quantized from the calibration range."""
  _, specs = built
  quant = [described["inputs"][p] for p in described["graph_inputs"]]
  result = []
  for k in range(count):
    case = []
    for q, s, (lo, hi) in zip(quant, specs, ranges):
      n = int(np.prod(s.shape))
      if k < count - 1:
        case.append([int(v) for v in rng.integers(-128, 128, n)])
      else:
        real = rng.uniform(lo, hi, n)
        qv = np.clip(np.round(real / q["scales"][0]) + q["zero_points"][0], -128, 127)
        case.append([int(v) for v in qv])
    result.append(case)
  return result


def main():
  os.makedirs(OUT, exist_ok=True)
  only = set(sys.argv[1:])
  total = 0
  for name, built, ranges, flags in cases():
    if only and name not in only:
      continue
    fn, specs = built
    data = convert(fn, specs, ranges, **flags)
    described = describe(data)
    path = os.path.join(OUT, name + ".tflite")
    with open(path, "wb") as f:
      f.write(data)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    inputs = int8_inputs(rng, described, built, ranges, 3)
    expected = run_cases(path, inputs)
    vector = {"name": name, **described, "cases": [
        {"inputs": i, "outputs": o} for i, o in zip(inputs, expected)]}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
      json.dump(vector, f, separators=(",", ":"))
    total += len(data)
    print(f"{name}: {described['op']} {described['options']} {len(data)} B")
  print(f"total {total} B")


if __name__ == "__main__":
  main()
