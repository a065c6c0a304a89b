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

Each keeps its clips' own room tone around the word and ends in zero padding only
where a real short clip would: a first try that set words into digital silence gave
the model a shortcut (exact zeros -> unknown) and cost 12 points of validation.

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


def _end(x):
  """Length of `x` without its trailing zeros (the 1 s padding of a short clip)."""
  nz = np.nonzero(x)[0]
  return int(nz[-1]) + 1 if len(nz) else 0


def _fit(y):
  """`y` (float) cut or zero-padded at the end to 1 s, as int16: short real clips are
  padded the same way, so padding tells the model nothing about the class."""
  out = np.zeros(CLIP_SAMPLES)
  y = y[:CLIP_SAMPLES]
  out[: len(y)] = y
  return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def splice(a, b, rng):
  """Clip `a` up to a cut inside its word, then clip `b` from a cut inside its word
  to its end (int16 1 s clips), or None if either has no speech. Both keep their own
  room around the word: no digital silence is added."""
  ra, rb = active_region(a), active_region(b)
  if ra is None or rb is None:
    return None
  ca = ra[0] + int(rng.uniform(0.3, 0.7) * (ra[1] - ra[0]))
  cb = rb[0] + int(rng.uniform(0.3, 0.7) * (rb[1] - rb[0]))
  head = a[: ca + FADE].astype(np.float64)
  tail = b[max(0, cb - FADE): _end(b)].astype(np.float64)
  if len(head) <= FADE or len(tail) <= FADE:
    return None
  # Match the tail's level to the head's so the join is not a jump in loudness.
  la = np.sqrt(np.mean(a[ra[0]: ra[1]].astype(np.float64) ** 2))
  lb = np.sqrt(np.mean(b[rb[0]: rb[1]].astype(np.float64) ** 2))
  if la > 0 and lb > 0:
    tail *= la / lb
  ramp = np.linspace(0.0, 1.0, FADE)
  joint = head[-FADE:] * (1 - ramp) + tail[:FADE] * ramp
  y = np.concatenate([head[:-FADE], joint, tail[FADE:]])
  # A splice is shorter than its clips; left as it is, it would end in more zero
  # padding than real clips do (another shortcut). Lead in with `a`'s own room tone
  # before the word instead, mirrored to length, when there is enough of it.
  room = a[: max(0, ra[0] - 3 * FRAME)].astype(np.float64)
  missing = CLIP_SAMPLES - len(y)
  if missing > 0 and len(room) >= 5 * FRAME:
    reps = -(-missing // len(room))
    lead = np.concatenate([room if k % 2 == 0 else room[::-1] for k in range(reps)])[-missing:]
    y = np.concatenate([lead, y])
  return _fit(y)


def reverse(a):
  """Clip `a` backwards (its padding stays at the end), or None if it has no speech."""
  if active_region(a) is None:
    return None
  n = _end(a)
  return _fit(a[:n].astype(np.float64)[::-1])


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
      y = reverse(audio[i])
      src = f"reverse:{clips[i]['path']}"
    if y is None or not np.any(y > 0):
      continue
    out.append(y)
    sources.append(src)
  if not out:
    return np.zeros((0, CLIP_SAMPLES), np.int16), []
  return np.stack(out), sources

