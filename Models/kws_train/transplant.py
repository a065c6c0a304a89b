"""Keywords assembled from the phones of other real words ("transplants").

`on` and `off` have no real clip here, and a keyword learned from synthetic voices
alone reaches only about three quarters of real speakers (Models/README.md). Their
phones are in real words that do exist: the vowel of "stop" is the vowel of "on" and
"off" (/ɑ/, AA, in American English), "down" ends in the N of "on", "left" holds
the F of "off". A transplant cuts those phones out of one real speaker's clips and
joins them, so the keyword is said by a real voice in a real room through a real
microphone, if not in one breath.

Phones are found by forced alignment with PocketSphinx's US English acoustic model
(PyPI `pocketsphinx`, which carries the model; 10 ms resolution). `RECIPES` says
which phones of which words make a keyword. "no" (the N of "down" before the OW of
"go") is there to measure the method on a keyword that has real clips: train it
from synthetic voices plus transplants only, and score it on real speakers.
"""

import numpy as np

from .dataset import CLIP_SAMPLES, SAMPLE_RATE

FRAME = SAMPLE_RATE // 100  # PocketSphinx's frame: 10 ms
FADE = SAMPLE_RATE * 5 // 1000  # cross-fade between pieces
MIN_PHONE_FRAMES = 3  # a phone aligned shorter than 30 ms is not trusted
MIN_ROOM = 5 * FRAME  # room tone needed to lay the word on
TRANSITION = 4 * FRAME  # trimmed off each end of a vowel
VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}

# keyword -> [(source word, phone), ...] in order.
RECIPES = {
  "on": [("stop", "AA"), ("down", "N")],
  "off": [("stop", "AA"), ("left", "F")],
  "no": [("down", "N"), ("go", "OW")],
}


class Aligner:
  """Forced alignment of a one-word clip to its phones with PocketSphinx."""

  def __init__(self):
    from pocketsphinx import Decoder

    self.decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", bestpath=False)

  def __call__(self, x, word):
    """[(phone, start sample, end sample)] of `word` in int16 clip `x`, silences
    included as "SIL"; None when the word's phones cannot be aligned."""
    d = self.decoder
    data = np.ascontiguousarray(x, dtype="<i2").tobytes()
    try:
      d.set_align_text(word)
      d.start_utt()
      d.process_raw(data, full_utt=True)
      d.end_utt()
      d.set_alignment()
      d.start_utt()
      d.process_raw(data, full_utt=True)
      d.end_utt()
      words = d.get_alignment()
    except (RuntimeError, ValueError, KeyError):
      return None
    if words is None:
      return None
    return [(p.name, p.start * FRAME, (p.start + p.duration) * FRAME) for w in words for p in w]


def piece(phones, name):
  """(start, end) samples of the first phone `name` in an alignment, if long enough."""
  for p, a, b in phones:
    if p == name:
      return (a, b) if b - a >= MIN_PHONE_FRAMES * FRAME else None
  return None


def vowel_rms(x, phones):
  """RMS of the word's vowel: the level pieces are matched by, so a nasal or a
  fricative keeps its natural level under the vowel it joins."""
  for p, a, b in phones:
    if p in VOWELS and b > a:
      return float(np.sqrt(np.mean(x[a:b].astype(np.float64) ** 2)))
  return 0.0


def room_tone(x, phones):
  """The clip's silence before its word (less 30 ms), else after it (up to its zero
  padding), as float samples; None when neither holds MIN_ROOM samples."""
  x = x.astype(np.float64)
  if phones and phones[0][0] == "SIL" and phones[0][2] - 3 * FRAME >= MIN_ROOM:
    return x[: phones[0][2] - 3 * FRAME]
  if phones and phones[-1][0] == "SIL":
    nz = np.nonzero(x)[0]
    end = int(nz[-1]) + 1 if len(nz) else 0
    start = phones[-1][1] + 3 * FRAME
    if end - start >= MIN_ROOM:
      return x[start:end]
  return None


def assemble(parts, room, rng):
  """One 1 s int16 clip: `parts` (float arrays, level-matched) joined with 5 ms
  cross-fades, laid at a random onset over `room` looped (mirrored) to 1 s."""
  y = parts[0]
  ramp = np.linspace(0.0, 1.0, FADE)
  for p in parts[1:]:
    if len(y) <= FADE or len(p) <= FADE:
      y = np.concatenate([y, p])
    else:
      y = np.concatenate([y[:-FADE], y[-FADE:] * (1 - ramp) + p[:FADE] * ramp, p[FADE:]])
  y = y[: CLIP_SAMPLES - 20 * FRAME]
  reps = -(-CLIP_SAMPLES // len(room))
  bed = np.concatenate([room if k % 2 == 0 else room[::-1] for k in range(reps)])[:CLIP_SAMPLES]
  start = int(rng.integers(10 * FRAME, CLIP_SAMPLES - len(y) - 10 * FRAME + 1))
  # Fade the room out under the word's edges and back in after it.
  out = bed.copy()
  out[start: start + len(y)] = y
  out[start: start + FADE] += bed[start: start + FADE] * (1 - ramp)
  end = start + len(y)
  out[end - FADE: end] += bed[end - FADE: end] * ramp
  return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def transplants(audio, clips, words, n, rng, aligner=None, log=print):
  """`n` transplanted clips of each keyword in `words`: (int16[m, CLIP_SAMPLES],
  their keywords, their sources).

  `audio` holds the int16 clips of `clips` (dicts with word, speaker, group, path);
  only real clips of the source words are cut (pass training clips only). Three in
  four transplants take every piece from one speaker, when some speaker recorded
  all of a keyword's source words; the rest mix speakers. A clip whose phone fails
  to align is not used.
  """
  aligner = aligner or Aligner()
  needed = {src for w in words for src, _ in RECIPES[w]}
  by_word = {}
  alignments, levels = {}, {}
  for i, c in enumerate(clips):
    if c["group"] == "real" and c["word"] in needed:
      by_word.setdefault(c["word"], []).append(i)
  for w, idx in by_word.items():
    ok = 0
    for i in idx:
      phones = aligner(audio[i], w)
      if phones:
        alignments[i], levels[i] = phones, vowel_rms(audio[i], phones)
        ok += 1
    log(f"transplant: aligned {ok} of {len(idx)} real '{w}' clips")
  out, words_out, sources = [], [], []
  for word in words:
    recipe = RECIPES[word]
    usable = {src: [i for i in by_word.get(src, []) if levels.get(i, 0) > 0 and piece(alignments[i], ph)]
              for src, ph in recipe}
    if not all(usable.values()):
      log(f"transplant: no '{word}' (a source word has no usable clip)")
      continue
    speakers = {}
    for src, _ in recipe:
      for i in usable[src]:
        speakers.setdefault(clips[i]["speaker"], {}).setdefault(src, []).append(i)
    complete = sorted(s for s, d in speakers.items() if len(d) == len({src for src, _ in recipe}))
    made = attempts = 0
    while made < n and attempts < 20 * n:
      attempts += 1
      if complete and rng.random() < 0.75:
        d = speakers[complete[int(rng.integers(len(complete)))]]
        chosen = [d[src][int(rng.integers(len(d[src])))] for src, _ in recipe]
      else:
        chosen = [usable[src][int(rng.integers(len(usable[src])))] for src, _ in recipe]
      level = levels[chosen[0]]
      parts = []
      for i, (_, ph) in zip(chosen, recipe):
        a, b = piece(alignments[i], ph)
        if ph in VOWELS:
          # A vowel cut from between consonants carries their transitions ("stop":
          # /t/ into it, /p/ out of it; "go": /g/ into it), which say the source
          # word: keep its middle, up to TRANSITION off each end.
          cut = min(TRANSITION, (b - a) // 4)
          a, b = a + cut, b - cut
        parts.append(audio[i][a:b].astype(np.float64) * (level / levels[i]))
      room = room_tone(audio[chosen[0]], alignments[chosen[0]])
      if room is None:
        room = room_tone(audio[chosen[-1]], alignments[chosen[-1]])
      if room is None:
        continue
      y = assemble(parts, room, rng)
      if not np.any(y > 0):
        continue
      out.append(y)
      words_out.append(word)
      sources.append("transplant:" + "+".join(clips[i]["path"] for i in chosen))
      made += 1
    log(f"transplant: {made} '{word}' clips from {len(complete)} speakers with all source words")
  if not out:
    return np.zeros((0, CLIP_SAMPLES), np.int16), [], []
  return np.stack(out), words_out, sources
