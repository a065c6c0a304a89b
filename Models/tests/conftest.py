import os
import stat
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, MODELS)
sys.path.insert(0, os.path.join(os.path.dirname(MODELS), "Audio", "synth"))


@pytest.fixture
def fake_kws(tmp_path):
  """An executable that answers `kws features` like the real tool (see fake_kws.py)."""
  exe = tmp_path / "kws"
  exe.write_text(f"#!/bin/sh\nexec {sys.executable} {os.path.join(HERE, 'fake_kws.py')} \"$@\"\n")
  exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
  return str(exe)


def write_wav(path, samples, rate=16000):
  import soundfile

  os.makedirs(os.path.dirname(path), exist_ok=True)
  soundfile.write(path, np.asarray(samples, dtype=np.int16), rate, subtype="PCM_16")


@pytest.fixture
def tiny_dataset(tmp_path):
  """A Speech Commands-layout folder: 12 speakers x (3 keywords + 1 other word),
  tones of word-specific pitch, and a background noise recording."""
  root = tmp_path / "sc"
  rng = np.random.default_rng(0)
  t = np.arange(12000) / 16000.0
  words = {"yes": 300, "no": 500, "up": 700, "bed": 900}
  for s in range(12):
    speaker = f"{s:08x}"
    for w, f0 in words.items():
      x = 8000 * np.sin(2 * np.pi * f0 * (1 + 0.01 * s) * t) + rng.normal(0, 200, len(t))
      write_wav(str(root / w / f"{speaker}_nohash_0.wav"), x)
  write_wav(str(root / "_background_noise_" / "white.wav"), rng.normal(0, 3000, 16000 * 12))
  return str(root)
