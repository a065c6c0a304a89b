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

  conv = _converter(model)
  conv.optimizations = [tf.lite.Optimize.DEFAULT]
  conv.representative_dataset = gen
  conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  conv.inference_input_type = tf.int8
  conv.inference_output_type = tf.int8
  return conv.convert()


def float_tflite(model):
  """Bytes of a float32 .tflite of `model` (for comparison and debugging)."""
  import tensorflow as tf

  return _converter(model).convert()


def _converter(model):
  """A converter for `model` with batch size fixed to 1.

  With Keras' dynamic batch dimension the final reshape becomes
  SHAPE/STRIDED_SLICE/PACK/RESHAPE; a clone with a fixed [1, frames, bins, 1]
  input makes it one static RESHAPE, so the model needs only the six MLPerf
  DS-CNN ops."""
  import keras
  import tensorflow as tf

  fixed = keras.models.clone_model(
    model, input_tensors=keras.Input(batch_shape=(1,) + tuple(model.input_shape[1:])))
  fixed.set_weights(model.get_weights())
  return tf.lite.TFLiteConverter.from_keras_model(fixed)


def op_names(path):
  """Builtin op names of a .tflite, in execution order (via LiteRT's interpreter)."""
  from ai_edge_litert.interpreter import Interpreter

  return [o["op_name"] for o in Interpreter(model_path=path)._get_ops_details()]
