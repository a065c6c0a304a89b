"""Full-integer export: int8 weights and activations, int8 input and output.

Post-training quantization with TFLiteConverter, calibrated on training features
(`representative` samples, drawn with a fixed seed so the export is reproducible).
The input tensor's scale/zero point are what the device's front end must quantize
its features with; `export` returns them so the caller can record them.
"""

import numpy as np


def to_int8_tflite(model, representative, samples=1000, seed=0):
  """Bytes of an int8 .tflite for Keras `model`, calibrated on `representative`
  (float32[N, frames, bins])."""
  import tensorflow as tf

  rng = np.random.default_rng(seed)
  pick = rng.choice(len(representative), size=min(samples, len(representative)), replace=False)
  calib = representative[np.sort(pick)][..., np.newaxis].astype(np.float32)

  def gen():
    for i in range(len(calib)):
      yield [calib[i: i + 1]]

  conv = tf.lite.TFLiteConverter.from_keras_model(model)
  conv.optimizations = [tf.lite.Optimize.DEFAULT]
  conv.representative_dataset = gen
  conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  conv.inference_input_type = tf.int8
  conv.inference_output_type = tf.int8
  return conv.convert()


def float_tflite(model):
  """Bytes of a float32 .tflite of `model` (for comparison and debugging)."""
  import tensorflow as tf

  return tf.lite.TFLiteConverter.from_keras_model(model).convert()
