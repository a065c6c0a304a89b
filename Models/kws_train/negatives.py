"""Pseudo-words from real training speech, for the `unknown` class.

The real `unknown` words in the shared data are three (bed, cat, happy); every other
`unknown` word the model hears in training is synthetic. A new real voice saying a
word the model never heard then tends to come out as a keyword. Pseudo-words give
`unknown` real voices, real rooms and real microphones without being any word the
model must spot:

- splice: the first part of one real word joined to the last part of another word
  by the same speaker ("do|wn" + "ye|s" -> "doos"), cut at 30-70 % of each word's
  active region, joined with a 10 ms cross-fade;
- reverse: a real word played backwards. "no" is never reversed: backwards it is
  close to "own", a near-miss of the keyword "on".

Only training-split clips are used, so no held-out speaker leaks in. Everything is a
function of the generator passed in.
"""

import numpy as np

from .dataset import CLIP_SAMPLES, SAMPLE_RATE, SILENCE

FRAME = SAMPLE_RATE // 100  # 10 ms energy frames
FADE = SAMPLE_RATE // 100  # 10 ms cross-fade at a splice
ACTIVE_DB = 20.0  # a frame is speech if within this many dB of the loudest frame
NEVER_REVERSED = ("no",)


def active_region(x):
  """(start, end) sample range from the first to the last frame within ACTIVE_DB of
  the loudest 10 ms frame; None for a clip without energy."""
  y = x.astype(np.float64)
  n = len(y) // FRAME
  if n == 0:
    return None
  e = np.sqrt(np.mean(y[: n * FRAME].reshape(n, FRAME) ** 2, axis=1))
  peak = e.max()
  if peak <= 0:
    return None
  on = np.nonzero(e >= peak * 10 ** (-ACTIVE_DB / 20))[0]
  return int(on[0] * FRAME), int((on[-1] + 1) * FRAME)


def _place(y, rng):
  """`y` (float) in a 1 s clip at a random offset (cut to 1 s if longer), as int16."""
  out = np.zeros(CLIP_SAMPLES)
  y = y[:CLIP_SAMPLES]
  start = int(rng.integers(0, CLIP_SAMPLES - len(y) + 1))
  out[start: start + len(y)] = y
  return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def splice(a, b, rng):
  """Head of clip `a` joined to the tail of clip `b` (int16 1 s clips), or None if
  either has no speech."""
  ra, rb = active_region(a), active_region(b)
  if ra is None or rb is None:
    return None
  ca = ra[0] + int(rng.uniform(0.3, 0.7) * (ra[1] - ra[0]))
  cb = rb[0] + int(rng.uniform(0.3, 0.7) * (rb[1] - rb[0]))
  head = a[max(0, ra[0] - FRAME * 5): ca + FADE].astype(np.float64)
  tail = b[max(0, cb - FADE): rb[1] + FRAME * 5].astype(np.float64)
  if len(head) <= FADE or len(tail) <= FADE:
    return None
  # Match the tail's level to the head's so the join is not a jump in loudness.
  la = np.sqrt(np.mean(a[ra[0]: ra[1]].astype(np.float64) ** 2))
  lb = np.sqrt(np.mean(b[rb[0]: rb[1]].astype(np.float64) ** 2))
  if la > 0 and lb > 0:
    tail *= la / lb
  ramp = np.linspace(0.0, 1.0, FADE)
  joint = head[-FADE:] * (1 - ramp) + tail[:FADE] * ramp
  return _place(np.concatenate([head[:-FADE], joint, tail[FADE:]]), rng)


def reverse(a, rng):
  """The active region of clip `a` backwards, or None if it has no speech."""
  r = active_region(a)
  if r is None:
    return None
  lo, hi = max(0, r[0] - FRAME * 5), min(len(a), r[1] + FRAME * 5)
  return _place(a[lo:hi].astype(np.float64)[::-1], rng)


def pseudo_words(audio, clips, n, rng):
  """`n` pseudo-word clips (int16[n, CLIP_SAMPLES]) and their sources.

  `audio` holds the int16 clips of `clips` (dicts with word, label, speaker, group,
  path); only real (`group == "real"`) spoken words are used. Half are splices of
  two different words by one speaker (any other speaker when a speaker recorded
  only one word), half reversals.
  """
  real = [i for i, c in enumerate(clips) if c["group"] == "real" and c["label"] != SILENCE]
  if n <= 0 or not real:
    return np.zeros((0, CLIP_SAMPLES), np.int16), []
  by_speaker = {}
  for i in real:
    by_speaker.setdefault(clips[i]["speaker"], []).append(i)
  reversible = [i for i in real if clips[i]["word"] not in NEVER_REVERSED]
  out, sources = [], []
  attempts = 0
  while len(out) < n and attempts < 20 * n:
    attempts += 1
    if len(out) % 2 == 0:
      i = real[int(rng.integers(len(real)))]
      same = [j for j in by_speaker[clips[i]["speaker"]] if clips[j]["word"] != clips[i]["word"]]
      pool = same or [j for j in real if clips[j]["word"] != clips[i]["word"]]
      if not pool:
        continue
      j = pool[int(rng.integers(len(pool)))]
      y = splice(audio[i], audio[j], rng)
      src = f"splice:{clips[i]['path']}+{clips[j]['path']}"
    else:
      if not reversible:
        continue
      i = reversible[int(rng.integers(len(reversible)))]
      y = reverse(audio[i], rng)
      src = f"reverse:{clips[i]['path']}"
    if y is None or not np.any(y > 0):
      continue
    out.append(y)
    sources.append(src)
  if not out:
    return np.zeros((0, CLIP_SAMPLES), np.int16), []
  return np.stack(out), sources

