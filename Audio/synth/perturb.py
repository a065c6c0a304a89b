"""More speakers from few voices, then one second of 16 kHz audio per clip.

`perturbation(rng)` draws the parameters; `render` applies them with one sox call:
- vocal tract length perturbation: `speed F` resamples by F (0.85-1.15), moving
  formants and pitch together as a shorter/longer vocal tract would, then
  `tempo 1/F` restores the duration without touching the spectrum again;
- a pitch shift (cents) and a tempo change on top;
- per-clip EQ: one or two peaking bands plus a random high-pass / low-pass corner, so
  clips do not all share one engine's spectral tilt.
sox runs with `-R` (repeatable random numbers) and `-D` (no dither), so the same
parameters give the same bytes.

`fit_one_second` trims leading/trailing silence, places the speech at a seeded offset
in a 16,000-sample window and scales its peak to a seeded level.
"""

import subprocess
import wave

import numpy as np

SAMPLE_RATE = 16000  # Hz, the model's rate
CLIP_SAMPLES = 16000  # 1 s
FRAME = 160  # 10 ms at 16 kHz, the granularity of silence trimming
MARGIN = 480  # 30 ms kept around the detected speech so onsets are not clipped


def perturbation(rng):
  """Random speaker/channel perturbation parameters for one clip."""
  bands = []
  for _ in range(rng.randint(1, 2)):
    bands.append({
      "hz": int(round(200 * 2 ** rng.uniform(0, 4.5))),  # 200 Hz .. ~4.5 kHz
      "q": round(rng.uniform(0.5, 2.0), 2),
      "db": round(rng.uniform(-8, 8), 1),
    })
  return {
    "vtlp": round(rng.uniform(0.85, 1.15), 3),
    "pitch_cents": rng.randint(-300, 300),
    "tempo": round(rng.uniform(0.85, 1.2), 3),
    "eq": bands,
    "highpass_hz": rng.choice([0, 0, 60, 100, 200, 300]),
    "lowpass_hz": rng.choice([0, 0, 0, 3400, 5000, 6500]),
  }


def sox_effects(p):
  """The sox effect chain (list of arguments) for perturbation `p`."""
  fx = ["speed", str(p["vtlp"]), "rate", "-h", str(SAMPLE_RATE),
        "tempo", "-s", str(round(1.0 / p["vtlp"], 4))]
  if p["pitch_cents"]:
    fx += ["pitch", str(p["pitch_cents"])]
  if p["tempo"] != 1.0:
    fx += ["tempo", "-s", str(p["tempo"])]
  for b in p["eq"]:
    fx += ["equalizer", str(b["hz"]), f"{b['q']}q", str(b["db"])]
  if p["highpass_hz"]:
    fx += ["highpass", str(p["highpass_hz"])]
  if p["lowpass_hz"]:
    fx += ["lowpass", str(p["lowpass_hz"])]
  # EQ gains can push peaks past full scale; fit_one_second rescales anyway, so
  # leave headroom here instead of clipping.
  fx += ["gain", "-n", "-3", "rate", "-h", str(SAMPLE_RATE)]
  return fx


def render(src, dst, p):
  """Applies perturbation `p` to WAV `src`, writing 16 kHz mono 16-bit WAV `dst`."""
  cmd = ["sox", "-D", "-R", src, "-b", "16", "-c", "1", dst] + sox_effects(p)
  done = subprocess.run(cmd, capture_output=True, timeout=120)
  if done.returncode != 0:
    raise RuntimeError(f"sox failed on {src}: {done.stderr.decode(errors='replace')[-400:]}")


def read_wav(path):
  """Reads a 16-bit mono WAV as int16 samples and its rate."""
  with wave.open(path, "rb") as w:
    if w.getsampwidth() != 2 or w.getnchannels() != 1:
      raise ValueError(f"{path}: need 16-bit mono, got {8 * w.getsampwidth()}-bit x {w.getnchannels()}")
    return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy(), w.getframerate()


def write_wav(path, samples):
  """Writes int16 `samples` as a 16 kHz mono 16-bit WAV."""
  with wave.open(path, "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(SAMPLE_RATE)
    w.writeframes(np.asarray(samples, dtype="<i2").tobytes())


def speech_span(x, rel_threshold=0.03):
  """(start, end) sample indices of the speech in `x`: first/last 10 ms frame whose
  peak reaches `rel_threshold` of the clip peak, widened by MARGIN. (0, 0) if silent."""
  n = len(x) // FRAME
  if n == 0:
    return 0, 0
  peaks = np.abs(x[: n * FRAME].astype(np.int32)).reshape(n, FRAME).max(axis=1)
  top = peaks.max()
  if top == 0:
    return 0, 0
  loud = np.nonzero(peaks >= rel_threshold * top)[0]
  start = max(0, loud[0] * FRAME - MARGIN)
  end = min(len(x), (loud[-1] + 1) * FRAME + MARGIN)
  return int(start), int(end)


def fit_one_second(x, rng, keep="center"):
  """Places the speech of `x` at a random offset in one second, peak at a random level.

  Speech longer than one second is cropped: around its centre for keywords
  (`keep="center"`, a stretched keyword stays whole as far as possible), at a random
  position for unknown phrases (`keep="random"`).
  Returns int16[CLIP_SAMPLES], or None if `x` holds no sound.
  """
  start, end = speech_span(x)
  if end <= start:
    return None
  speech = x[start:end].astype(np.float64)
  if len(speech) > CLIP_SAMPLES:
    extra = len(speech) - CLIP_SAMPLES
    cut = extra // 2 if keep == "center" else rng.randint(0, extra)
    speech = speech[cut: cut + CLIP_SAMPLES]
  offset = rng.randint(0, CLIP_SAMPLES - len(speech))
  out = np.zeros(CLIP_SAMPLES)
  out[offset: offset + len(speech)] = speech
  peak = np.abs(out).max()
  level = rng.uniform(0.25, 0.9)  # of full scale, like loud-to-quiet real recordings
  out *= level * 32767.0 / peak
  return np.clip(np.round(out), -32768, 32767).astype(np.int16)
