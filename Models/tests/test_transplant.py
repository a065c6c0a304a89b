import os
import shutil
import subprocess

import numpy as np
import pytest
import soundfile

from kws_train import transplant

pytestmark = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                reason="needs espeak-ng and sox")


def _say(tmp_path, word, voice):
  """`word` spoken by espeak-ng `voice`, at 16 kHz, in a 1 s int16 clip over low noise
  (onset 200 ms), as a real recording would have it."""
  raw, wav = tmp_path / f"{word}-{voice}.raw.wav", tmp_path / f"{word}-{voice}.wav"
  subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), word], check=True)
  subprocess.run(["sox", str(raw), "-r", "16000", "-b", "16", str(wav)], check=True)
  x, _ = soundfile.read(str(wav), dtype="int16")
  x = x[np.nonzero(np.abs(x) > 100)[0][0]:][:12000].astype(np.float64)
  out = np.random.default_rng(len(word)).normal(0, 30, 16000)
  out[3200: 3200 + len(x)] += x
  return np.clip(np.round(out), -32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def aligner():
  return transplant.Aligner()


def test_aligner_finds_the_phones_of_a_spoken_word_in_order(tmp_path, aligner):
  phones = aligner(_say(tmp_path, "stop", "en-us"), "stop")
  names = [p for p, _, _ in phones if p != "SIL"]
  assert names == ["S", "T", "AA", "P"]
  starts = [a for _, a, _ in phones]
  assert starts == sorted(starts) and all(b > a for _, a, b in phones)
  # The word starts where the clip's speech does (200 ms in), within 100 ms.
  assert abs(phones[1][1] - 3200) <= 1600
  assert transplant.piece(phones, "AA") is not None
  assert transplant.piece(phones, "N") is None


def test_transplants_join_the_named_phones_of_one_speaker(tmp_path, aligner):
  voices = ["en-us", "en-us+f3", "en-gb"]
  clips, audio = [], []
  for v, speaker in zip(voices, ["aaaa0001", "aaaa0002", "aaaa0003"]):
    for w in ("stop", "down", "left", "yes"):
      clips.append({"path": f"{w}/{speaker}_nohash_0.wav", "word": w, "speaker": speaker, "group": "real"})
      audio.append(_say(tmp_path, w, v))
  audio = np.stack(audio)
  logs = []
  x, words, sources = transplant.transplants(audio, clips, ["on", "off"], 6, np.random.default_rng(3),
                                             aligner=aligner, log=logs.append)
  assert x.dtype == np.int16 and x.shape == (12, 16000)
  assert words == ["on"] * 6 + ["off"] * 6
  for w, s in zip(words, sources):
    parts = s.removeprefix("transplant:").split("+")
    assert [p.split("/")[0] for p in parts] == (["stop", "down"] if w == "on" else ["stop", "left"])
  # Most take both pieces from one speaker (three in four by design; all here can).
  same = sum(len({p.split("/")[1] for p in s.split(":")[1].split("+")}) == 1 for s in sources)
  assert same >= 6
  # No digital silence: the room tone is laid under and around the word.
  for y in x:
    assert max(len(r) for r in np.split(y, np.nonzero(y)[0]) if len(r)) < 50
  assert any("aligned 3 of 3 real 'stop' clips" in m for m in logs)
  # A function of the generator.
  again, _, _ = transplant.transplants(audio, clips, ["on", "off"], 6, np.random.default_rng(3),
                                       aligner=aligner, log=lambda m: None)
  assert np.array_equal(x, again)


def test_assemble_lays_the_pieces_in_order_over_the_room_tone():
  # A word-like clip: 100 ms "vowel" at 8000 then 100 ms "nasal" at 2000, in room tone.
  rng = np.random.default_rng(0)
  room = rng.normal(0, 20, 1600)
  vowel, nasal = 8000 * np.sin(np.arange(1600) / 3.0), 2000 * np.sin(np.arange(1600) / 9.0)
  y = transplant.assemble([vowel, nasal], room, rng)
  assert y.shape == (16000,)
  env = np.abs(y.astype(np.float64))
  loud = np.nonzero(env > 4000)[0]
  # One word, 190-200 ms long (a 5 ms cross-fade), vowel before nasal.
  assert 1500 <= loud[-1] - loud[0] <= 1600
  # The nasal's 1600 samples after the vowel's, at its own (lower) level.
  assert np.abs(y[loud[-1] + 200: loud[-1] + 1400]).max() > 1000
  assert np.abs(y[loud[-1] + 200: loud[-1] + 1400]).max() <= 2000 + 100
  assert np.abs(y[: loud[0] - 200]).max() < 200
