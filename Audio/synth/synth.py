#!/usr/bin/env python3
"""Synthetic keyword speech in the Speech Commands layout.

    nice -n 19 python Audio/synth/synth.py --out out/synth/train --set train --seed 1 --jobs 1
    nice -n 19 python Audio/synth/synth.py --out out/synth/test  --set test  --seed 1 --jobs 1

`--set train` uses espeak-ng, flite and Piper (and Kokoro with `--kokoro SHARE`);
`--set test` uses only the festival voices, which are held out of training so
accuracy on unseen voices can be measured.

Output: `OUT/<word>/<speaker>_nohash_<key>.wav` (16 kHz mono 16-bit, exactly 1 s),
phrases in folders with `_` for spaces, and `OUT/manifest.jsonl` with one line per
clip: path, word, generator, voice, text, delivery and perturbation parameters, seed
and index. `<speaker>` hashes engine, voice and the vocal-tract/pitch perturbation,
so a speaker-hash split keeps one synthetic "speaker" in one split.

Deterministic and cached: clip i of word w draws every parameter from
`random.Random(f"{seed}|{set}|{w}|{i}")`, and its file name carries a hash of those
parameters; existing files are skipped. Raising a count therefore only adds clips,
and a rerun with the same arguments writes nothing new.
"""

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generators  # noqa: E402
import perturb  # noqa: E402
import words  # noqa: E402

# Bump when rendering changes in a way that should invalidate cached clips.
RENDER_VERSION = 1

# Share of clips per engine in the training set. espeak-ng has by far the most
# voices; Piper is the most natural-sounding; flite adds five more timbres.
TRAIN_ENGINE_WEIGHTS = {"espeak": 0.5, "flite": 0.2, "piper": 0.3}

# Engines added to the training set (`--kokoro SHARE`, see `plan`) each get their own
# count (as a share of the clips above) drawn from their own random stream, so adding
# one leaves every earlier clip's parameters, file name and cache entry as they were.
# Kokoro's neural voices sound the most natural of all here, but measured on real
# speakers they did not teach a keyword better than the others (Models/README.md),
# so the default set leaves them out. An added engine also says each keyword's
# near-misses, this share of the keyword's count.
NEAR_MISS_SHARE = 0.5


def folder_name(text):
  return text.replace(" ", "_")


def plan_clip(seed, which, word, index, text, engines, weights, keep, stream=None):
  """All parameters of one clip, drawn from its own seeded generator."""
  rng = random.Random(f"{seed}|{which}|{stream}|{word}|{index}" if stream
                      else f"{seed}|{which}|{word}|{index}")
  engine = rng.choices(engines, weights=weights)[0]
  voice = rng.choice(generators.voices(engine))
  # Punctuation changes the intonation contour most engines produce.
  spoken = text + rng.choice(["", "", ".", "!", "?"])
  delivery = generators.delivery(engine, rng)
  clean = which == "test" and rng.random() < 0.3  # some unperturbed held-out voices
  pert = None if clean else perturb.perturbation(rng)
  params = {
    "version": RENDER_VERSION, "generator": engine, "voice": voice, "text": spoken,
    "delivery": delivery, "perturb": pert, "keep": keep,
  }
  key = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
  speaker_basis = [engine, voice, pert["vtlp"] if pert else 1.0, pert["pitch_cents"] if pert else 0]
  if delivery.get("blend"):  # a blended voice is another speaker
    speaker_basis.append(delivery["blend"])
  speaker = engine + hashlib.sha1(json.dumps(speaker_basis).encode()).hexdigest()[:8]
  path = os.path.join(folder_name(word), f"{speaker}_nohash_{key}.wav")
  return {
    "path": path, "word": word, "set": which, "seed": seed, "index": index,
    "speaker": speaker, "key": key, **params,
  }


def plan(seed, which, per_keyword, on_off_factor, unknown, added=None):
  """The full list of clips for one set, in a fixed order. `added`: {engine: share}
  of engines joining the training set in their own streams."""
  if which == "train":
    engines = list(TRAIN_ENGINE_WEIGHTS)
    weights = [TRAIN_ENGINE_WEIGHTS[e] for e in engines]
  else:
    engines, weights = generators.TEST_ENGINES, [1.0]
  streams = [(None, engines, weights, 1.0)]
  if which == "train":
    streams += [(e, [e], [1.0], share) for e, share in (added or {}).items() if share > 0]
  clips = []
  for stream, engines, weights, share in streams:
    for kw in words.KEYWORDS:
      # on/off have no real recordings at all, so they get more synthetic ones.
      n = round(share * per_keyword * (on_off_factor if kw in ("on", "off") else 1))
      for i in range(n):
        clips.append(plan_clip(seed, which, kw, i, kw, engines, weights, "center", stream))
      if stream:
        # An added engine also says each keyword's near-misses, half as often as the
        # keyword, marked as such: if the recipe uses the engine for one keyword
        # only, the engine's voices then say what is not that keyword too.
        misses = words.NEAR_MISSES[kw]
        for i in range(round(n * NEAR_MISS_SHARE)):
          text = misses[i % len(misses)]
          clip = plan_clip(seed, which, text, i // len(misses), text, engines, weights, "center",
                           stream + "-near")
          clips.append(dict(clip, near_miss_of=kw))
    texts = words.UNKNOWN_TEXTS
    for i in range(round(share * unknown)):
      text = texts[i % len(texts)]
      keep = "random" if " " in text else "center"
      clips.append(plan_clip(seed, which, text, i // len(texts), text, engines, weights, keep,
                             stream))
  return clips


def render_clip(args):
  """Worker: synthesizes, perturbs and fits one clip. Returns (record, error)."""
  out_root, clip = args
  dst = os.path.join(out_root, clip["path"])
  if os.path.exists(dst):
    return clip, None
  try:
    with tempfile.TemporaryDirectory(prefix="kws-synth-") as tmp:
      raw = os.path.join(tmp, "tts.wav")
      generators.speak(clip["generator"], clip["voice"], clip["text"], clip["delivery"], raw)
      p16 = os.path.join(tmp, "p16.wav")
      pert = clip["perturb"] or {
        "vtlp": 1.0, "pitch_cents": 0, "tempo": 1.0, "eq": [], "highpass_hz": 0, "lowpass_hz": 0
      }
      perturb.render(raw, p16, pert)
      x, _ = perturb.read_wav(p16)
      fitted = perturb.fit_one_second(x, random.Random(clip["key"]), clip["keep"])
      if fitted is None:
        return clip, f"{clip['path']}: {clip['generator']} {clip['voice']} produced silence"
      os.makedirs(os.path.dirname(dst), exist_ok=True)
      part = dst + ".part"
      perturb.write_wav(part, fitted)
      os.replace(part, dst)  # a killed run never leaves a half-written clip
  except Exception as e:  # one bad clip must not end a long run; it is reported
    return clip, f"{clip['path']}: {e}"
  return clip, None


def main(argv=None):
  ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  ap.add_argument("--out", required=True, help="output folder (Speech Commands layout)")
  ap.add_argument("--set", choices=["train", "test"], default="train",
                  help="train: espeak-ng/flite/piper (+kokoro); test: held-out festival voices (default: train)")
  ap.add_argument("--seed", type=int, default=1, help="master seed (default: 1)")
  ap.add_argument("--per-keyword", type=int, default=200, help="clips per keyword (default: 200)")
  ap.add_argument("--on-off-factor", type=int, default=4,
                  help="multiplier for on/off, which have no real clips (default: 4)")
  ap.add_argument("--unknown", type=int, default=1200, help="unknown-class clips in total (default: 1200)")
  ap.add_argument("--kokoro", type=float, default=0.0, metavar="SHARE",
                  help="train set: add Kokoro clips, SHARE times as many as the other engines' "
                       "(plus half as many near-misses of each keyword) (default: 0, none)")
  ap.add_argument("--jobs", type=int, default=1, help="parallel workers (default: 1)")
  a = ap.parse_args(argv)
  if min(a.per_keyword, a.unknown, a.on_off_factor, a.kokoro) < 0 or a.jobs < 1:
    ap.error("counts must be >= 0 and --jobs >= 1")

  from tqdm import tqdm

  clips = plan(a.seed, a.set, a.per_keyword, a.on_off_factor, a.unknown, {"kokoro": a.kokoro})
  os.makedirs(a.out, exist_ok=True)
  todo = [(a.out, c) for c in clips]
  errors, done = [], []
  if a.jobs == 1:
    results = map(render_clip, todo)
    pool = None
  else:
    pool = Pool(a.jobs)
    results = pool.imap_unordered(render_clip, todo, chunksize=4)
  for clip, err in tqdm(results, total=len(todo), desc=f"synth {a.set}", unit="clip"):
    (errors.append(err) if err else done.append(clip))
  if pool:
    pool.close()
    pool.join()
  done.sort(key=lambda c: c["path"])
  with open(os.path.join(a.out, "manifest.jsonl"), "w") as f:
    for c in done:
      f.write(json.dumps(c, sort_keys=True) + "\n")
  for e in errors:
    print("error:", e, file=sys.stderr)
  print(f"{len(done)} clips in {a.out} ({len(errors)} failed)")
  return 1 if errors and not done else 0


if __name__ == "__main__":
  sys.exit(main())
