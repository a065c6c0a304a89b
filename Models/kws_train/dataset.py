"""Clips in the Speech Commands layout: finding them, labelling them, splitting them.

A data folder holds one folder per spoken word (`down/`, `bed/`, `thank_you/`...),
optionally `_background_noise_/` and, in the full Google set, `testing_list.txt` and
`validation_list.txt`. Files may be WAV or FLAC (the shared subset is FLAC).

Labels: the ten keywords label themselves, every other word folder is `unknown`,
and `silence` has no folder (it is cut from background noise at training time).

Split: when both list files exist they decide (entries name `word/file.wav`; the
extension is ignored so FLAC copies match). Otherwise the speaker (the file name
before `_nohash_`) is hashed, the same way the Speech Commands tools do it, so a
speaker's clips all land in one split and the split of a clip never changes when
clips are added:

    percent = (int(sha1(speaker).hexdigest(), 16) % (2**27)) * 100 / (2**27 - 1)
    validation if percent < 10, testing if percent < 20, else training

e.g. speaker "0a7c2a8d" -> the same split on every machine, for every word.
"""

import hashlib
import os
import re

import numpy as np

LABELS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes",
          "silence", "unknown"]
KEYWORDS = LABELS[:10]
SILENCE = LABELS.index("silence")
UNKNOWN = LABELS.index("unknown")

SAMPLE_RATE = 16000  # Hz
CLIP_SAMPLES = 16000  # 1 s
NOISE_FOLDER = "_background_noise_"
AUDIO_EXTENSIONS = (".wav", ".flac")

# Largest class size the Speech Commands hashing was designed around; keeping the
# constant keeps our split identical to the published tools' split.
_MAX_PER_CLASS = 2**27 - 1


class DataError(RuntimeError):
  """Bad or missing data; the message names the file or folder."""


def speaker_of(filename):
  """Speaker id of a Speech Commands file name: the part before `_nohash_`.

  >>> speaker_of("0a7c2a8d_nohash_1.flac")
  '0a7c2a8d'
  """
  base = os.path.basename(filename)
  return re.sub(r"_nohash_.*$", "", base)


def which_set(filename, validation_percent=10.0, testing_percent=10.0):
  """'training', 'validation' or 'testing' for a file, decided by its speaker hash."""
  speaker = speaker_of(filename).encode()
  h = int(hashlib.sha1(speaker).hexdigest(), 16)
  percent = (h % (_MAX_PER_CLASS + 1)) * (100.0 / _MAX_PER_CLASS)
  if percent < validation_percent:
    return "validation"
  if percent < validation_percent + testing_percent:
    return "testing"
  return "training"


def label_of(word):
  """Label index of a word folder: itself if a keyword, else `unknown`."""
  return LABELS.index(word) if word in KEYWORDS else UNKNOWN


def _list_file(root, name):
  path = os.path.join(root, name)
  if not os.path.exists(path):
    return None
  with open(path) as f:
    # Compare without extension: the lists name .wav, a FLAC copy is still the clip.
    return {os.path.splitext(line.strip())[0] for line in f if line.strip()}


def scan(root, validation_percent=10.0, testing_percent=10.0, all_split=None):
  """All clips under `root` as dicts {path, word, label, speaker, split}.

  `all_split` forces every clip into one split (e.g. "testing" for the held-out
  festival voices). Results are sorted by path so every run sees the same order.
  """
  if not os.path.isdir(root):
    raise DataError(f"data folder '{root}' does not exist")
  testing = _list_file(root, "testing_list.txt")
  validation = _list_file(root, "validation_list.txt")
  use_lists = testing is not None and validation is not None
  clips = []
  for word in sorted(os.listdir(root)):
    folder = os.path.join(root, word)
    if word.startswith((".", "_")) or not os.path.isdir(folder):
      continue
    for name in sorted(os.listdir(folder)):
      if not name.lower().endswith(AUDIO_EXTENSIONS):
        continue
      rel = f"{word}/{name}"
      if all_split:
        split = all_split
      elif use_lists:
        stem = os.path.splitext(rel)[0]
        split = "testing" if stem in testing else "validation" if stem in validation else "training"
      else:
        split = which_set(name, validation_percent, testing_percent)
      clips.append({
        "path": os.path.join(folder, name), "word": word, "label": label_of(word),
        "speaker": speaker_of(name), "split": split,
      })
  if not clips:
    raise DataError(f"no .wav/.flac clips in word folders under '{root}'")
  return clips


def read_audio(path):
  """int16 samples of a 16 kHz mono WAV/FLAC file."""
  import soundfile

  try:
    x, rate = soundfile.read(path, dtype="int16", always_2d=True)
  except Exception as e:
    raise DataError(f"cannot read audio '{path}': {e}") from e
  if rate != SAMPLE_RATE:
    raise DataError(f"'{path}' is {rate} Hz; need {SAMPLE_RATE} Hz (resample with sox first)")
  if x.shape[1] != 1:
    raise DataError(f"'{path}' has {x.shape[1]} channels; need mono")
  return x[:, 0]


def fit_clip(x):
  """Pads with zeros at the end (as Speech Commands clips are) or truncates to 1 s."""
  out = np.zeros(CLIP_SAMPLES, dtype=np.int16)
  n = min(len(x), CLIP_SAMPLES)
  out[:n] = x[:n]
  return out


def load_clips(clips, progress=None):
  """int16[N, CLIP_SAMPLES] audio of `clips`, each padded/truncated to one second."""
  out = np.zeros((len(clips), CLIP_SAMPLES), dtype=np.int16)
  it = range(len(clips))
  if progress:
    it = progress(it, desc="reading clips", unit="clip")
  for i in it:
    out[i] = fit_clip(read_audio(clips[i]["path"]))
  return out


def noise_files(root):
  """Paths of the background noise recordings of a data folder (may be empty)."""
  folder = os.path.join(root, NOISE_FOLDER)
  if not os.path.isdir(folder):
    return []
  return [os.path.join(folder, n) for n in sorted(os.listdir(folder))
          if n.lower().endswith(AUDIO_EXTENSIONS)]
