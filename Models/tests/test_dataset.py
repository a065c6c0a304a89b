import os

import numpy as np
import pytest

from kws_train import dataset
from conftest import write_wav


def test_speaker_of_takes_the_part_before_nohash():
  assert dataset.speaker_of("word/0a7c2a8d_nohash_1.flac") == "0a7c2a8d"
  assert dataset.speaker_of("espeak1234abcd_nohash_ffee.wav") == "espeak1234abcd"


def test_which_set_depends_only_on_the_speaker():
  for i in range(200):
    sp = f"{i * 7919:08x}"
    sets = {dataset.which_set(f"{sp}_nohash_{k}.wav") for k in range(4)}
    assert len(sets) == 1


def test_which_set_proportions_are_about_80_10_10():
  got = [dataset.which_set(f"{i:08x}_nohash_0.wav") for i in range(5000)]
  frac = {s: got.count(s) / len(got) for s in ("training", "validation", "testing")}
  assert 0.77 < frac["training"] < 0.83
  assert 0.08 < frac["validation"] < 0.12
  assert 0.08 < frac["testing"] < 0.12


def test_which_set_matches_the_speech_commands_hash():
  # Independent oracle: the percentage formula written out with hashlib.
  import hashlib

  for sp in ["0a7c2a8d", "bb05582b", "ffd2ba2f", "c1d39ce8"]:
    pct = (int(hashlib.sha1(sp.encode()).hexdigest(), 16) % 2**27) * 100.0 / (2**27 - 1)
    want = "validation" if pct < 10 else "testing" if pct < 20 else "training"
    assert dataset.which_set(sp + "_nohash_3.wav") == want


def test_scan_keeps_every_speaker_in_one_split(tiny_dataset):
  clips = dataset.scan(tiny_dataset)
  by_speaker = {}
  for c in clips:
    by_speaker.setdefault(c["speaker"], set()).add(c["split"])
  assert all(len(s) == 1 for s in by_speaker.values())
  assert len(clips) == 48  # the noise folder is not a word


def test_scan_labels_other_words_unknown(tiny_dataset):
  labels = {c["word"]: c["label"] for c in dataset.scan(tiny_dataset)}
  assert labels["yes"] == dataset.LABELS.index("yes")
  assert labels["bed"] == dataset.UNKNOWN


def test_scan_uses_list_files_when_present(tiny_dataset):
  with open(os.path.join(tiny_dataset, "testing_list.txt"), "w") as f:
    f.write("yes/00000000_nohash_0.wav\n")
  with open(os.path.join(tiny_dataset, "validation_list.txt"), "w") as f:
    f.write("no/00000001_nohash_0.wav\n")
  split = {f"{c['word']}/{c['speaker']}": c["split"] for c in dataset.scan(tiny_dataset)}
  assert split["yes/00000000"] == "testing"
  assert split["no/00000001"] == "validation"
  assert split["no/00000000"] == "training"
  assert sum(1 for s in split.values() if s != "training") == 2


def test_scan_rejects_a_missing_folder(tmp_path):
  with pytest.raises(dataset.DataError, match="does not exist"):
    dataset.scan(str(tmp_path / "nope"))


def test_read_audio_names_the_file_with_the_wrong_rate(tmp_path):
  p = str(tmp_path / "w" / "a_nohash_0.wav")
  write_wav(p, np.zeros(100), rate=8000)
  with pytest.raises(dataset.DataError, match="8000 Hz"):
    dataset.read_audio(p)


def test_fit_clip_pads_at_the_end_and_truncates():
  assert np.array_equal(dataset.fit_clip(np.ones(10, np.int16))[:11], [1] * 10 + [0])
  assert len(dataset.fit_clip(np.ones(20000, np.int16))) == dataset.CLIP_SAMPLES
