"""Scores: accuracy, per-class recall, confusion matrix; float Keras and int8 TFLM.

The int8 model runs through the TFLite Micro Python interpreter, the same kernels
the project's Swift inference is checked against (LiteRT's reference kernels differ
from TFLM on a few inputs; REFERENCE section 2).
"""

import numpy as np

from .dataset import LABELS


def quantize_input(x, scale, zero_point):
  """float features -> int8 with the model's input parameters: round half away
  from zero (as TFLite's Quantize does: `round(x / scale) + zp`), then clamp."""
  # float32 like TFLite's kernel; np.round would round half to even.
  v = np.asarray(x, dtype=np.float32) / np.float32(scale)
  q = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5)) + zero_point
  return np.clip(q, -128, 127).astype(np.int8)


class TflmModel:
  """An int8 .tflite run by the TFLM Python interpreter, one clip per invoke."""

  def __init__(self, path):
    from tflite_micro.python.tflite_micro import runtime

    self.interp = runtime.Interpreter.from_file(path)
    d = self.interp.get_input_details(0)
    q = d["quantization_parameters"]
    self.in_scale, self.in_zero = float(q["scales"][0]), int(q["zero_points"][0])
    self.in_shape = tuple(d["shape"])
    o = self.interp.get_output_details(0)["quantization_parameters"]
    self.out_scale, self.out_zero = float(o["scales"][0]), int(o["zero_points"][0])

  def predict(self, x, progress=None):
    """int8 scores [N, classes] for float features [N, frames, bins]."""
    q = quantize_input(x, self.in_scale, self.in_zero)
    out = []
    it = range(len(q))
    if progress:
      it = progress(it, desc="tflm int8", unit="clip")
    for i in it:
      self.interp.set_input(q[i].reshape(self.in_shape), 0)
      self.interp.invoke()
      out.append(np.array(self.interp.get_output(0)).reshape(-1))
    return np.stack(out) if out else np.zeros((0, len(LABELS)), dtype=np.int8)


def scores(y_true, y_pred, classes=len(LABELS)):
  """{n, accuracy, per_class_recall, confusion} for integer labels/predictions.

  `confusion[t][p]` counts clips of true class t predicted as p. Recall of a class
  with no clips is None (e.g. `on`/`off` in real speech).
  """
  y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
  conf = np.zeros((classes, classes), dtype=np.int64)
  np.add.at(conf, (y_true, y_pred), 1)
  recall = {}
  for c in range(classes):
    n = conf[c].sum()
    recall[LABELS[c]] = None if n == 0 else round(float(conf[c, c] / n), 4)
  n = int(len(y_true))
  return {
    "n": n,
    "accuracy": round(float(np.mean(y_true == y_pred)), 4) if n else None,
    "per_class_recall": recall,
    "confusion": {"labels": LABELS[:classes], "matrix": conf.tolist()},
  }


def grouped_accuracy(y_true, y_pred, groups):
  """Accuracy per group name (e.g. per festival voice)."""
  out = {}
  groups = np.asarray(groups)
  for g in sorted(set(groups.tolist())):
    m = groups == g
    out[g] = {"n": int(m.sum()), "accuracy": round(float(np.mean(y_true[m] == y_pred[m])), 4)}
  return out
