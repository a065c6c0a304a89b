import hashlib
import os
import random
import re

import numpy as np

import perturb
import synth
import words


def _digest(root):
  out = {}
  for d, _, files in os.walk(root):
    for f in files:
      if f.endswith(".wav"):
        p = os.path.join(d, f)
        out[os.path.relpath(p, root)] = hashlib.sha1(open(p, "rb").read()).hexdigest()
  return out


def test_same_seed_same_files_byte_for_byte(tmp_path):
  args = ["--per-keyword", "1", "--on-off-factor", "1", "--unknown", "3", "--seed", "5"]
  assert synth.main(["--out", str(tmp_path / "a")] + args) == 0
  assert synth.main(["--out", str(tmp_path / "b")] + args) == 0
  a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
  assert len(a) == 13 and a == b
  assert open(tmp_path / "a" / "manifest.jsonl").read() == open(tmp_path / "b" / "manifest.jsonl").read()


def test_clips_are_one_second_16k_mono(tmp_path):
  synth.main(["--out", str(tmp_path), "--per-keyword", "1", "--on-off-factor", "1", "--unknown", "0"])
  for rel in _digest(tmp_path):
    x, rate = perturb.read_wav(str(tmp_path / rel))
    assert rate == 16000 and len(x) == 16000 and np.abs(x).max() > 3000


def test_rerun_skips_existing_clips(tmp_path):
  out = tmp_path / "s"
  synth.main(["--out", str(out), "--per-keyword", "1", "--on-off-factor", "1", "--unknown", "0"])
  first = {p: os.path.getmtime(out / p) for p in _digest(out)}
  synth.main(["--out", str(out), "--per-keyword", "1", "--on-off-factor", "1", "--unknown", "0"])
  assert {p: os.path.getmtime(out / p) for p in _digest(out)} == first


def test_a_different_seed_draws_different_parameters():
  a = synth.plan(1, "train", 3, 2, 10)
  b = synth.plan(2, "train", 3, 2, 10)
  assert [c["key"] for c in a] != [c["key"] for c in b]


def test_more_clips_extend_the_plan_without_changing_it():
  small, large = synth.plan(1, "train", 2, 2, 5), synth.plan(1, "train", 4, 2, 5)
  assert {c["key"] for c in small} <= {c["key"] for c in large}


def test_train_plan_never_uses_festival_and_test_plan_only_festival():
  assert {c["generator"] for c in synth.plan(1, "train", 20, 2, 50)} <= {"espeak", "flite", "piper"}
  assert {c["generator"] for c in synth.plan(1, "test", 5, 2, 10)} == {"festival"}


def test_on_off_get_more_clips_than_other_keywords():
  counts = {}
  for c in synth.plan(1, "train", 3, 2, 0):
    counts[c["word"]] = counts.get(c["word"], 0) + 1
  assert counts["on"] == counts["off"] == 6 and counts["yes"] == 3


def test_unknown_texts_contain_no_keyword_or_homophone():
  banned = set(words.KEYWORDS) | {"know", "write", "rite", "wright", "oh"}
  for text in words.UNKNOWN_TEXTS:
    assert not (set(re.findall(r"[a-z]+", text)) & banned), text


def test_fit_one_second_places_speech_and_rescales():
  x = np.zeros(30000, np.int16)
  x[1000:9000] = 1000
  y = perturb.fit_one_second(x, random.Random(3))
  assert len(y) == 16000 and 0.25 * 32767 <= np.abs(y).max() <= 0.9 * 32767 + 1
  assert np.count_nonzero(y) >= 8000
  assert perturb.fit_one_second(np.zeros(5000, np.int16), random.Random(0)) is None
