import json
import os

import numpy as np
import pytest

from kws_train import dataset, negatives, pipeline


def _word(f0, start, length, level=8000, hiss=0.0, seed=0):
  x = np.random.default_rng(seed).normal(0, hiss, 16000) if hiss else np.zeros(16000)
  t = np.arange(length) / 16000.0
  x[start: start + length] += level * np.sin(2 * np.pi * f0 * t)
  return np.round(x).astype(np.int16)


def test_active_region_spans_first_to_last_loud_frame():
  x = _word(440, 3200, 4800)
  assert negatives.active_region(x) == (3200, 8000)
  assert negatives.active_region(np.zeros(16000, np.int16)) is None


def test_splice_is_head_of_one_word_and_tail_of_the_other():
  a, b = _word(300, 2000, 6000), _word(1200, 5000, 6000, level=2000)
  y = negatives.splice(a, b, np.random.default_rng(4))
  r = negatives.active_region(y)
  s = y[r[0]: r[1]].astype(np.float64)
  # Dominant frequency of the first and the last 50 ms: 300 Hz, then 1200 Hz.
  f = lambda seg: np.argmax(np.abs(np.fft.rfft(seg, 16000)))
  assert abs(f(s[:800]) - 300) <= 5 and abs(f(s[-800:]) - 1200) <= 5
  # The tail is brought to the head's level, so no jump in loudness at the join.
  assert 0.7 < np.abs(s[-800:]).max() / np.abs(s[:800]).max() < 1.4
  # Shorter than both words whole, never longer than a second.
  assert len(y) == 16000 and r[1] - r[0] < 6000 + 6000


def test_pseudo_words_keep_their_room_and_add_no_digital_silence():
  # Full-length clips with a hiss floor: the results must have no run of exact zeros
  # (a shortcut the model would learn), except padding at the end of a clip that
  # was itself padded.
  a = _word(300, 2000, 6000, hiss=30, seed=1)
  b = _word(900, 5000, 6000, hiss=30, seed=2)
  for y in (negatives.splice(a, b, np.random.default_rng(s)) for s in range(5)):
    z = np.nonzero(y == 0)[0]
    runs = np.split(z, np.nonzero(np.diff(z) != 1)[0] + 1) if len(z) else []
    inner = [r for r in runs if len(r) and r[-1] != 15999]
    assert max((len(r) for r in inner), default=0) < 5
    assert negatives._end(y) > 15990  # led in with a's room tone, not padded with zeros
  padded = a.copy()
  padded[12000:] = 0  # a 0.75 s clip, padded like Speech Commands' short clips
  y = negatives.reverse(padded)
  assert np.all(y[12000:] == 0)
  assert np.array_equal(y[:12000], padded[:12000][::-1])


def test_reverse_plays_the_word_backwards():
  x = np.zeros(16000, np.int16)
  x[4000:8000] = (np.linspace(1, 0, 4000) * 9000 * np.sin(np.arange(4000) / 3.0)).astype(np.int16)
  y = negatives.reverse(x)
  r = negatives.active_region(y)
  s = np.abs(y[r[0]: r[1]].astype(np.float64))
  # The original decays, so backwards it grows.
  assert s[: len(s) // 3].mean() < s[-len(s) // 3:].mean()


def _clips(words, speakers, group="real"):
  out, audio = [], []
  for k, (w, sp) in enumerate(zip(words, speakers)):
    out.append({"path": f"{w}/{sp}_nohash_{k}.wav", "word": w, "label": dataset.label_of(w),
                "speaker": sp, "group": group})
    audio.append(_word(200 + 100 * k, 3000, 5000))
  return np.stack(audio), out


def test_pseudo_words_come_only_from_real_words_and_never_reverse_no():
  audio, clips = _clips(["no", "yes", "no", "bed"], ["a", "a", "b", "b"])
  audio2, synth = _clips(["up", "go"], ["s", "s"], group="espeak/en")
  x, src = negatives.pseudo_words(np.concatenate([audio, audio2]), clips + synth, 40,
                                  np.random.default_rng(1))
  assert x.shape == (40, 16000) and x.dtype == np.int16 and len(src) == 40
  assert all(s.startswith(("splice:", "reverse:")) for s in src)
  assert not any(s.startswith("reverse:no/") for s in src)
  assert not any("up/" in s or "go/" in s for s in src)  # synthetic clips are not used
  # Splices join two different words of one speaker.
  for s in src:
    if s.startswith("splice:"):
      a, b = s[len("splice:"):].split("+")
      assert a.split("/")[0] != b.split("/")[0]
      assert os.path.basename(a).split("_")[0] == os.path.basename(b).split("_")[0]
  again, _ = negatives.pseudo_words(np.concatenate([audio, audio2]), clips + synth, 40,
                                    np.random.default_rng(1))
  assert np.array_equal(x, again)


def test_held_out_words_leave_training_and_keywords_cannot_be_held_out(tiny_dataset):
  pools = pipeline.collect([tiny_dataset], [], [], holdout_words=["bed"])
  assert len(pools["test_words"]) == 12 and {c["word"] for c in pools["test_words"]} == {"bed"}
  assert not any(c["word"] == "bed" for k in ("train", "val", "test_real") for c in pools[k])
  with pytest.raises(dataset.DataError, match="keyword"):
    pipeline.collect([tiny_dataset], [], [], holdout_words=["yes"])


def test_pseudo_words_join_the_unknown_pool(tiny_dataset, fake_kws, tmp_path):
  work = str(tmp_path / "work")
  summary = pipeline.build_features([tiny_dataset], [], [], work, rounds=1, seed=3, kws=fake_kws,
                                    negatives_count=30, holdout_words=["bed"], log=lambda *_: None)
  assert summary["pool"]["train_pseudo"]["unknown"] == 30
  assert summary["pool"]["train_real"]["unknown"] == 0  # bed was the only other word
  _, y, src, grp = pipeline.load_npz(os.path.join(work, "features", "train_r0.npz"))
  assert set(y[grp == "pseudo"]) == {dataset.UNKNOWN}
  _, yw, _, _ = pipeline.load_npz(os.path.join(work, "features", "test_words.npz"))
  assert len(yw) == 12 and set(yw) == {dataset.UNKNOWN}  # no silence added to it


def test_held_out_clips_without_a_positive_sample_are_left_out_and_named(tiny_dataset, fake_kws,
                                                                          tmp_path):
  from conftest import write_wav

  bad = os.path.join(tiny_dataset, "bed", "ffffffff_nohash_0.wav")
  write_wav(bad, np.full(16000, -5000))  # a negative DC offset: max(x) < 0
  logs = []
  summary = pipeline.build_features([tiny_dataset], [], [], str(tmp_path / "w"), rounds=1, seed=3,
                                    kws=fake_kws, holdout_words=["bed"], log=logs.append)
  assert summary["left_out"] == {"test_words": [bad]}
  assert any("without a positive sample" in m for m in logs)
  _, yw, src, _ = pipeline.load_npz(str(tmp_path / "w" / "features" / "test_words.npz"))
  assert len(yw) == 12 and bad not in set(src)


def test_synthetic_only_keywords_lose_their_real_training_clips_only(tiny_dataset):
  whole = pipeline.collect([tiny_dataset], [], [])
  cut = pipeline.collect([tiny_dataset], [], [], synthetic_only=["yes"])
  assert any(c["word"] == "yes" for c in whole["train"])
  assert not any(c["word"] == "yes" for c in cut["train"])
  assert [c["path"] for c in cut["val"]] == [c["path"] for c in whole["val"]]
  assert len(cut["train"]) == len(whole["train"]) - sum(c["word"] == "yes" for c in whole["train"])


def test_unheard_only_engines_speak_only_classes_without_real_speech(tiny_dataset, tmp_path):
  from conftest import write_wav

  # A synthetic folder: kokoro and espeak clips of `off` (no real clip anywhere),
  # `yes` (real clips exist), `dawn` (unknown, which real `bed` clips speak), and
  # near-misses of `off` (`cough`) and of `yes` (`yet`).
  root = tmp_path / "synth"
  lines = []
  words = {"off": None, "yes": None, "dawn": None, "cough": "off", "yet": "yes"}
  for engine in ("kokoro", "espeak"):
    for word, miss in words.items():
      for i in range(20):
        rel = f"{word}/{engine}{i:04x}_nohash_{i}.wav"
        write_wav(str(root / rel), np.full(16000, 1000))
        lines.append(json.dumps({"path": rel, "generator": engine, "voice": "v",
                                 "near_miss_of": miss}))
  (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")
  every = pipeline.collect([tiny_dataset], [str(root)], [])
  limited = pipeline.collect([tiny_dataset], [str(root)], [], unheard_only_engines=["kokoro"])
  kind = lambda pool: {(c["group"].split("/")[0], c["word"]) for k in ("train", "val")
                       for c in pool[k] if c["group"] != "real"}
  assert kind(every) == {(e, w) for e in ("kokoro", "espeak") for w in words}
  assert kind(limited) == {("kokoro", "off"), ("kokoro", "cough")} | {("espeak", w) for w in words}
  real = lambda pool: [c["path"] for k in ("train", "val") for c in pool[k] if c["group"] == "real"]
  assert real(limited) == real(every)
  # The manifest decides what the folder holds: a clip it does not list is not used.
  (root / "manifest.jsonl").write_text("\n".join(l for l in lines if "kokoro" not in l) + "\n")
  assert {e for e, _ in kind(pipeline.collect([tiny_dataset], [str(root)], []))} == {"espeak"}
  (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")
  # A keyword trained on synthetic voices only gets them back: nothing real says it.
  up = pipeline.collect([tiny_dataset], [str(root)], [], synthetic_only=["yes"],
                        unheard_only_engines=["kokoro"])
  assert ("kokoro", "yes") in kind(up)
