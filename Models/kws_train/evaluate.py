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


def threshold_table(y_true, probs, thresholds=None, keywords=10):
  """Clip-level trade-off of a detection threshold on top-class probabilities.

  For each threshold t: `hit` = share of keyword clips whose top class is their own
  keyword with probability >= t; `false_accept` = share of non-keyword clips
  (silence, unknown) whose top class is a keyword with probability >= t. Labels
  below `keywords` are keywords (the model order puts silence/unknown last).
  Example: probabilities [[0.9, 0.1], ...] for a keyword clip of class 0 count as
  a hit for every t <= 0.9.
  """
  y_true, probs = np.asarray(y_true), np.asarray(probs, dtype=np.float64)
  if thresholds is None:
    thresholds = [round(0.05 * i, 2) for i in range(8, 20)]
  top, p = np.argmax(probs, axis=1), np.max(probs, axis=1)
  kw, other = y_true < keywords, y_true >= keywords
  rows = []
  for t in thresholds:
    fired = (top < keywords) & (p >= t)
    rows.append({"threshold": t,
                 "hit": round(float(np.mean(fired[kw] & (top[kw] == y_true[kw]))), 4) if kw.any() else None,
                 "false_accept": round(float(np.mean(fired[other])), 4) if other.any() else None})
  return rows


def pick_threshold(rows, max_hit_loss=0.03):
  """The highest threshold whose hit rate is within `max_hit_loss` of the lowest
  threshold's: as few false accepts as possible while giving up at most 3 points
  of keyword hits."""
  best = rows[0]["hit"]
  ok = [r for r in rows if r["hit"] is not None and r["hit"] >= best - max_hit_loss]
  return max(ok, key=lambda r: r["threshold"])["threshold"] if ok else rows[0]["threshold"]


def prior_curve(y_true, probs, label, factors=(1, 1.5, 2, 3, 4, 6, 8)):
  """What scaling one class's probability by each factor (a prior shift: adding
  log(factor) to its logit, no new data) does to top-1 decisions.

  Per factor: `accuracy`, `balanced` (mean recall over the classes present),
  `recall` of `label`, and `false` = clips of other classes now called `label`. A change to training that moves a keyword along this curve
  (more recall, as many more false calls as the factor would give) taught the model
  nothing about the word: it only shifted the prior. Example: probabilities
  [[0.6, 0.4]] of a class-1 clip become a class-1 call from factor 1.5 on.
  """
  y_true, probs = np.asarray(y_true), np.asarray(probs, dtype=np.float64)
  mine = y_true == label
  present = np.unique(y_true)
  rows = []
  for f in factors:
    w = np.ones(probs.shape[1])
    w[label] = f
    pred = np.argmax(probs * w, axis=1)
    balanced = np.mean([np.mean(pred[y_true == c] == c) for c in present]) if len(present) else 0.0
    rows.append({"factor": f, "accuracy": round(float(np.mean(pred == y_true)), 4),
                 "balanced": round(float(balanced), 4),
                 "recall": round(float(np.mean(pred[mine] == label)), 4) if mine.any() else None,
                 "false": int(np.sum((pred == label) & ~mine))})
  return rows
