"""Builds the three reference-shaped int8 models the inference tests run.

    /work/wt/.venv-train/bin/python Models/dscnn/build_dscnn.py

1. dscnn_random.tflite: the MLPerf Tiny DS-CNN-S keyword spotting network
   (Hello Edge "S"): input 49x10x1 MFCC; CONV 64 10x4 stride 2 SAME + BN + ReLU;
   4 x [DEPTHWISE 3x3 SAME + BN + ReLU, POINTWISE 64 + BN + ReLU]; AVERAGE_POOL 25x5;
   FC 12; SOFTMAX. Deterministic random weights, fitted for a few epochs on random
   data with a planted class signal so that activations and scores depend on the
   input (it recognises no speech). Input
   quantization is calibrated to the reference model's (scale 0.5847029, zero point
   83) by giving the representative data exactly that range.
2. micro_speech_like.tflite: the TFLM micro_speech shape: input 49x40 int8 (scale
   0.10172, zero point -128 as micro_speech), DEPTHWISE 10x8 x8 stride 2 SAME + ReLU,
   FC 4, SOFTMAX.
3. keras_conv1d.tflite: a Keras Conv1D keyword net with standalone activation
   layers (ReLU6, LeakyReLU, hard swish, tanh) and global average pooling, as a
   model trained elsewhere arrives (see `keras_conv1d`).

All go to Tests/InferenceTests/Models/, each with NAME.layers.json: every operator
(options, tensors, constant data), a few int8 inputs and the TFLM Python
interpreter's scores for them. The tests get every intermediate tensor from the live
interpreter (kPreserveAllTensors), so each layer of our kernels is checked in place
and chained.
"""
import json
import os
import sys
import tempfile
import zlib

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Reference"))
from tflite_describe import describe_op, schema  # noqa: E402
from tflm_op_check import run_layers  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "InferenceTests", "Models")
keras = tf.keras
L = keras.layers


def dscnn():
  x = inputs = keras.Input((49, 10, 1), batch_size=1)
  x = L.Conv2D(64, (10, 4), strides=(2, 2), padding="same")(x)
  x = L.ReLU()(L.BatchNormalization()(x))
  for _ in range(4):
    x = L.DepthwiseConv2D((3, 3), padding="same")(x)
    x = L.ReLU()(L.BatchNormalization()(x))
    x = L.Conv2D(64, (1, 1), padding="same")(x)
    x = L.ReLU()(L.BatchNormalization()(x))
  x = L.AveragePooling2D(pool_size=(25, 5))(x)
  x = L.Flatten()(x)
  x = L.Dense(12)(x)
  return keras.Model(inputs, L.Softmax()(x))


def micro_speech_like():
  x = inputs = keras.Input((49, 40), batch_size=1)
  x = L.Reshape((49, 40, 1))(x)
  x = L.DepthwiseConv2D((10, 8), strides=(2, 2), depth_multiplier=8, padding="same",
                        activation="relu")(x)
  x = L.Flatten()(x)
  x = L.Dense(4)(x)
  return keras.Model(inputs, L.Softmax()(x))


def keras_conv1d():
  """A keyword net as a Keras user writes it: Conv1D over time on 40 log-mel
  channels, activations as layers of their own (ReLU6, LeakyReLU, hard swish, tanh),
  global average pooling. The converter turns each Conv1D into EXPAND_DIMS /
  RESHAPE + CONV_2D + SQUEEZE / RESHAPE and the pooling into MEAN."""
  x = inputs = keras.Input((49, 40), batch_size=1)
  x = L.Conv1D(32, 5, strides=2, padding="same")(x)
  x = L.BatchNormalization()(x)
  x = L.ReLU(max_value=6.0)(x)
  x = L.Conv1D(32, 3, padding="same")(x)
  x = L.LeakyReLU(negative_slope=0.2)(x)
  x = L.Conv1D(32, 3, padding="same")(x)
  x = L.Activation("hard_swish")(x)
  x = L.Conv1D(16, 3, padding="same")(x)
  x = L.Activation("tanh")(x)
  x = L.GlobalAveragePooling1D()(x)
  # After the pooling nothing can absorb it: RELU6 stays an op of its own (after
  # a convolution the converter fuses it).
  x = L.ReLU(max_value=6.0)(x)
  x = L.Dense(4)(x)
  return keras.Model(inputs, L.Softmax()(x))


def fit(model, shape, lo, hi, classes, seed, learning_rate, epochs):
  """A few epochs on random data with a planted signal: class k raises band k of the
  input (time bands for the DS-CNN, frequency bands for micro_speech), so the
  weights and the scores really depend on the input."""
  rng = np.random.default_rng(seed)
  n = 2048
  y = rng.integers(0, classes, n)
  x = rng.uniform(lo, hi, (n, *shape)).astype(np.float32)
  flat = x.reshape(n, shape[0], -1)
  for i in range(n):
    if len(shape) == 2:  # [time, channels]: frequency bands
      band = shape[1] // classes
      flat[i, :, y[i] * band:(y[i] + 1) * band] += 0.3 * (hi - lo)
    else:  # [time, coefficients, 1]: time bands
      band = shape[0] // classes
      flat[i, y[i] * band:(y[i] + 1) * band, :] += 0.3 * (hi - lo)
  x = np.clip(flat.reshape(n, *shape), lo, hi)
  model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
  history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
  print(f"fitted: accuracy {history.history['accuracy'][-1]:.2f} on the planted signal")


def convert(model, shape, lo, hi, seed):
  rng = np.random.default_rng(seed)

  def representative():
    for _ in range(100):
      sample = rng.uniform(lo, hi, (1, *shape)).astype(np.float32)
      # Pin the calibrated range exactly to [lo, hi].
      sample.flat[0] = lo
      sample.flat[1] = hi
      yield [sample]

  # Keras 3 -> SavedModel -> converter (freezes the variables).
  export_dir = tempfile.mkdtemp(prefix="kws-export-")
  model.export(export_dir, verbose=False,
               input_signature=[tf.TensorSpec((1, *shape), tf.float32)])
  converter = tf.lite.TFLiteConverter.from_saved_model(export_dir)
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  converter.representative_dataset = representative
  converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  converter.inference_input_type = tf.int8
  converter.inference_output_type = tf.int8
  return converter.convert()


def layers_json(name, data, shape, lo, hi):
  model = schema.Model.GetRootAs(data, 0)
  subgraph = model.Subgraphs(0)
  ops = [describe_op(model, subgraph, i) for i in range(subgraph.OperatorsLength())]
  inp = subgraph.Tensors(int(subgraph.InputsAsNumpy()[0])).Quantization()
  scale, zp = float(inp.ScaleAsNumpy()[0]), int(inp.ZeroPointAsNumpy()[0])
  rng = np.random.default_rng(zlib.crc32(name.encode()))
  n = int(np.prod(shape))
  cases = []
  for k in range(3):
    real = rng.uniform(lo, hi, shape)
    # Plant a class signal (as in training) so the scores differ between cases.
    if len(shape) == 2:
      real[:, 10 * k:10 * k + 10] = np.minimum(real[:, 10 * k:10 * k + 10] + 0.3 * (hi - lo), hi)
    else:
      real[4 * k:4 * k + 4] = np.minimum(real[4 * k:4 * k + 4] + 0.3 * (hi - lo), hi)
    real = real.flatten()
    cases.append([[int(v) for v in np.clip(np.round(real / scale) + zp, -128, 127)]])
  cases.append([[int(v) for v in rng.integers(-128, 128, n)]])
  path = os.path.join(OUT, name + ".tflite")
  output = int(subgraph.OutputsAsNumpy()[0])
  tensors = run_layers(path, cases)
  return {
      "name": name,
      "ops": ops,
      "graph_input": int(subgraph.InputsAsNumpy()[0]),
      "graph_output": output,
      # Only the scores are stored; the tests ask the live interpreter for the
      # intermediate tensors (tflm_op_check.py --layers), which keeps this file small.
      "cases": [{"input": c[0], "output": t[str(output)]} for c, t in zip(cases, tensors)],
  }


def build(name, make, shape, lo, hi, classes, seed, learning_rate=0.003, epochs=6):
  tf.keras.utils.set_random_seed(seed)
  model = make()
  fit(model, shape, lo, hi, classes, seed, learning_rate, epochs)
  data = convert(model, shape, lo, hi, seed)
  with open(os.path.join(OUT, name + ".tflite"), "wb") as f:
    f.write(data)
  described = layers_json(name, data, shape, lo, hi)
  with open(os.path.join(OUT, name + ".layers.json"), "w") as f:
    json.dump(described, f, separators=(",", ":"))
  ops = [o["op"] for o in described["ops"]]
  q = described["ops"][0]["inputs"][0]
  print(f"{name}: {len(data)} B, ops {ops}, input scale {q['scales']} zero point {q['zero_points']}")


def main():
  os.makedirs(OUT, exist_ok=True)
  # MLPerf DS-CNN input: scale 0.5847029, zero point 83 -> real range
  # [(-128 - 83) * s, (127 - 83) * s].
  s = 0.5847029
  only = set(sys.argv[1:])
  if not only or "dscnn_random" in only:
    build("dscnn_random", dscnn, (49, 10, 1), (-128 - 83) * s, (127 - 83) * s, 12, 1)
  # micro_speech input: scale 0.10172, zero point -128 -> [0, 255 * s].
  if not only or "micro_speech_like" in only:
    # Inputs up to 26 feed 4000 features into the FC: a small learning rate keeps the
    # ReLUs alive.
    build("micro_speech_like", micro_speech_like, (49, 40), 0.0, 255 * 0.10172, 4, 2,
          learning_rate=0.0003, epochs=10)
  # The same input as micro_speech (log-mel frames, scale 0.10172, zero point -128).
  if not only or "keras_conv1d" in only:
    build("keras_conv1d", keras_conv1d, (49, 40), 0.0, 255 * 0.10172, 4, 3, learning_rate=0.001, epochs=6)


if __name__ == "__main__":
  main()
