"""Features from our own front end (`kws features`), so training sees the device's bits.

    kws features --frontend mfcc --raw-clips CLIPS.raw --clip-samples 16000 \
                 --format npy --output OUT.npy

CLIPS.raw is back-to-back s16le clips of 16,000 samples; the tool runs a fresh front
end per clip (MFCC also divides by the clip's peak) and writes one feature matrix
per clip. There is deliberately no Python feature extractor here: a model trained
on features the device does not compute would lose accuracy in ways no test sees.

Clips are sent in chunks of `CHUNK` (128 MB of raw audio at most per call).
"""

import os
import subprocess
import tempfile

import numpy as np

from .dataset import CLIP_SAMPLES

CHUNK = 4000  # clips per kws call

# What one integer code of each front end is worth in the model's real-valued input
# (the values the int8 input scale/zero point refer to):
# - mfcc: Int32 Q16, value / 65536 is the MFCC of REFERENCE 1b;
# - microfrontend / micro-speech: uint16 log-mel codes, times 0.0390625 (= 1/25.6),
#   the float convention of microWakeWord and pymicro-features (REFERENCE 1a).
# float32 output (`--reference`, or a tool that already scales) is taken as is.
CODE_SCALE = {"mfcc": 1.0 / 65536.0, "microfrontend": 0.0390625, "micro-speech": 0.0390625}

# Feature matrix per clip for each front end: (frames, bins).
# mfcc: 30 ms window, 20 ms step -> 49 frames x 10 coefficients (REFERENCE 1b).
# micro-speech: 30 ms / 20 ms -> 49 x 40 log-mel; microfrontend: 30 ms / 10 ms -> 98 x 40.
SHAPES = {"mfcc": (49, 10), "micro-speech": (49, 40), "microfrontend": (98, 40)}


class FeatureError(RuntimeError):
  """`kws features` is missing or failed; the message says how to fix it."""


def default_kws():
  """`$KWS` if set, else the release build in this repository."""
  env = os.environ.get("KWS")
  if env:
    return env
  here = os.path.dirname(os.path.abspath(__file__))
  return os.path.normpath(os.path.join(here, "..", "..", ".build", "release", "kws"))


def extract(clips, frontend="mfcc", kws=None, progress=None):
  """float32[N, frames, bins] features of int16[N, 16000] `clips`."""
  kws = kws or default_kws()
  if not os.path.exists(kws):
    raise FeatureError(
      f"kws binary not found at '{kws}': build it with `swift build -c release "
      "--product kws` or pass --kws / set KWS")
  clips = np.ascontiguousarray(clips, dtype="<i2")
  if clips.ndim != 2 or clips.shape[1] != CLIP_SAMPLES:
    raise FeatureError(f"clips must be int16[N, {CLIP_SAMPLES}], got {clips.shape}")
  parts = []
  starts = range(0, len(clips), CHUNK)
  if progress:
    starts = progress(starts, desc=f"kws features {frontend}", unit="chunk")
  with tempfile.TemporaryDirectory(prefix="kws-features-") as tmp:
    raw, out = os.path.join(tmp, "clips.raw"), os.path.join(tmp, "features.npy")
    for s in starts:
      chunk = clips[s: s + CHUNK]
      chunk.tofile(raw)
      cmd = [kws, "features", "--frontend", frontend, "--raw-clips", raw,
             "--clip-samples", str(CLIP_SAMPLES), "--format", "npy", "--output", out]
      done = subprocess.run(cmd, capture_output=True)
      if done.returncode != 0:
        raise FeatureError(
          f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
      parts.append(to_real(_shaped(np.load(out), len(chunk), frontend), frontend))
  if not parts:
    frames, bins = SHAPES.get(frontend, (0, 0))
    return np.zeros((0, frames, bins), dtype=np.float32)
  return np.concatenate(parts).astype(np.float32)


def _shaped(a, n, frontend):
  """Brings the tool's output to [n, frames, bins], checking the clip count."""
  if a.shape[0] != n:
    raise FeatureError(f"kws features returned {a.shape[0]} rows for {n} clips (shape {a.shape})")
  if a.ndim == 3:
    return a
  if frontend in SHAPES:
    frames, bins = SHAPES[frontend]
    if a[0].size == frames * bins:
      return a.reshape(n, frames, bins)
  raise FeatureError(f"cannot interpret kws features output of shape {a.shape} for '{frontend}'")


def to_real(a, frontend):
  """float32 model-input values from the tool's output array (see CODE_SCALE)."""
  if a.dtype.kind == "f":
    return a.astype(np.float32)
  if a.dtype == np.int8:
    raise FeatureError("kws features returned int8 (quantized) features; run it without --quantize")
  if a.dtype.kind in "iu":
    return (a.astype(np.float64) * CODE_SCALE[frontend]).astype(np.float32)
  raise FeatureError(f"unexpected feature dtype {a.dtype} from kws features")
