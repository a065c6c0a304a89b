"""The recipe's steps; `Models/train.py` is their command line.

Work folder layout (`--work`, default `out/model`):
    audio/<set>.raw, <set>.meta.npz, summary.json  the clips as the front end gets them
    features/train_r0.npz ... train_r{R-1}.npz   augmented, class-balanced rounds
    features/val.npz, test_real.npz, test_synth.npz   clean held-out sets
    features/summary.json                        clip counts per class and split
    model_float.keras, history.json              training
    model_int8.tflite, model_float.tflite, export.json   (with the prior of unheard keywords)
    eval.json                                    float and int8 scores per set
Each .npz holds `x` float32[N, frames, bins], `y` int labels, `source` (file path or
"silence:<noise>"), `group` (engine/voice for synthetic clips, "real" otherwise).
"""

import glob
import hashlib
import json
import os
import time

import numpy as np

from . import augment, dataset, features, negatives

# test_words: real clips of words kept out of training altogether (`holdout_words`),
# to measure `unknown` on words the model never heard, in real voices.
SPLITS = ("val", "test_real", "test_synth", "test_words")
# Training clips cut from real recordings: never colored like synthetic voices.
REAL_GROUPS = ("real", "pseudo", "transplant")


def _progress():
  from tqdm import tqdm

  return tqdm


def _manifest_groups(root):
  """path -> ("engine/voice", keyword it is a near-miss of or None) from a synthetic
  folder's manifest.jsonl, if any."""
  path = os.path.join(root, "manifest.jsonl")
  groups = {}
  if os.path.exists(path):
    with open(path) as f:
      for line in f:
        c = json.loads(line)
        groups[os.path.normpath(os.path.join(root, c["path"]))] = (
          f"{c['generator']}/{c['voice']}", c.get("near_miss_of"))
  return groups


def collect(real_roots, synth_train, synth_test, test_roots=(), holdout_words=(),
            synthetic_only=(), unheard_only_engines=()):
  """Clip lists per split: training pool, val, test_real, test_synth, test_words.

  `test_roots` are real folders used for testing only (e.g. speakers kept out of
  the training data altogether); their clips join the hash split's test band.
  Real clips of `holdout_words` (non-keywords, e.g. "happy") go to test_words
  whatever their speaker's split, and synthetic ones are dropped. Keywords in
  `synthetic_only` lose their real training clips (validation and test keep them):
  how well a keyword learned from synthetic voices alone does on real speakers is
  what `on`/`off` face, which have no real clips at all.

  Synthetic clips of `unheard_only_engines` (Kokoro: natural, but speaking English
  with its voices' Japanese accent) are kept only for classes that no real
  training clip says, and dropped elsewhere (training and validation): where real
  speech exists they add an accent no user has and little else. The engine's
  near-misses of such a class stay too (`near_miss_of` in the synthetic
  manifest), so its voices also say what the keyword is not: without them the
  model took unheard real near-misses ("happy" for `up`) for the keyword."""
  held = set(holdout_words)
  bad = held & set(dataset.KEYWORDS)
  if bad:
    raise dataset.DataError(f"cannot hold out keyword(s) {sorted(bad)}: only unknown words")
  pools = {"train": [], "val": [], "test_real": [], "test_synth": [], "test_words": []}
  for root in test_roots:
    for c in dataset.scan(root, all_split="testing"):
      c["group"] = "real"
      pools["test_real"].append(c)
  for root in real_roots:
    for c in dataset.scan(root):
      c["group"] = "real"
      if c["word"] in held:
        pools["test_words"].append(c)
        continue
      if c["word"] in synthetic_only and c["split"] == "training":
        continue
      pools[{"training": "train", "validation": "val", "testing": "test_real"}[c["split"]]].append(c)
  for root in synth_train:
    groups = _manifest_groups(root)
    # Synthetic training voices: 10 % of the "speakers" validate, none test (the
    # held-out festival voices are the synthetic test).
    for c in dataset.scan(root, validation_percent=10.0, testing_percent=0.0):
      key = os.path.normpath(c["path"])
      # With a manifest, it decides: clips that an earlier, different plan left in
      # the folder (say, Kokoro clips from a run with `--kokoro`) are not used.
      if c["word"] in held or (groups and key not in groups):
        continue
      c["group"], c["near_miss_of"] = groups.get(key, ("synthetic", None))
      pools["train" if c["split"] == "training" else "val"].append(c)
  if unheard_only_engines:
    heard = {c["label"] for c in pools["train"] if c["group"] == "real"}

    def keep(c):
      if c["group"].split("/")[0] not in unheard_only_engines:
        return True
      miss = c.get("near_miss_of")  # its near-misses too: what the keyword is not
      return c["label"] not in heard or (miss is not None and dataset.label_of(miss) not in heard)

    pools["train"] = [c for c in pools["train"] if keep(c)]
    pools["val"] = [c for c in pools["val"] if keep(c)]
  for root in synth_test:
    groups = _manifest_groups(root)
    for c in dataset.scan(root, all_split="testing"):
      if c["word"] in held:
        continue
      c["group"] = groups.get(os.path.normpath(c["path"]), ("synthetic", None))[0]
      pools["test_synth"].append(c)
  return pools


def _counts(labels):
  labels = np.asarray(labels, dtype=np.int64)
  return {dataset.LABELS[c]: int(np.sum(labels == c)) for c in range(len(dataset.LABELS))}


def load_npz(path):
  if not os.path.exists(path):
    raise FileNotFoundError(f"'{path}' is missing: run `train.py features` first")
  with np.load(path) as d:
    return d["x"], d["y"], d["source"], d["group"]


def build_features(real_roots, synth_train, synth_test, work, rounds=4, per_class=None,
                   seed=1, frontend="mfcc", kws=None, impulses=None, test_roots=(),
                   negatives_count=0, holdout_words=(), synthetic_only=(),
                   silence_mix=(0.0, 0.0, 0.0, 0.0), eq_synthetic=0.0, color_synthetic=0.0,
                   unheard_only_engines=(), quiet_tail=0.0, quiet_hiss_db=(0.0, 0.0),
                   transplants=0, transplant_words=("on", "off"), audio_only=False, log=print):
  """Writes augmented training rounds and clean held-out sets, then their features.

  Two stages, each cached: audio (`work/audio/<set>.raw`, s16le clips, plus labels)
  keyed by everything that decides it (folders, seed, rounds, per-class count), and
  features (`work/features/<set>.npz`) keyed by that plus the front end. The audio
  stage needs no Swift build (`audio_only=True`), so it can run ahead of one.
  `unheard_only_engines`: see `collect`. `negatives_count` pseudo-words from real
  training speech (`negatives.py`) join the `unknown` pool. `silence_mix` (see `augment.Augmenter.silence`) varies the
  training silence; its room tones come from the real training clips.
  `quiet_tail` and `quiet_hiss_db` are `augment.Augmenter`'s `p_quiet` and
  `quiet_hiss_db`. `transplants` clips of each of `transplant_words` are assembled
  from the phones of real training words (`transplant.py`) and join those keywords'
  pools.
  """
  t0 = time.time()
  config = {"real_roots": list(real_roots), "test_roots": list(test_roots),
            "synth_train": list(synth_train), "synth_test": list(synth_test), "seed": seed,
            "rounds": rounds, "per_class": per_class, "impulses": impulses,
            "augment": augment.Augmenter(None, None).__dict__, "negatives": negatives_count,
            "holdout_words": sorted(holdout_words), "synthetic_only": sorted(synthetic_only),
            "silence_mix": list(silence_mix), "eq_synthetic": eq_synthetic,
            "color_synthetic": color_synthetic, "quiet_tail": quiet_tail,
            "quiet_hiss_db": list(quiet_hiss_db), "transplants": transplants,
            "transplant_words": list(transplant_words),
            "version": 3}
  # `unheard_only_engines` needs no entry in `config`: it only filters the clip
  # lists, which the key covers.
  pools = collect(real_roots, synth_train, synth_test, test_roots, holdout_words, synthetic_only,
                  unheard_only_engines)
  # The key covers the clip lists too: clips added to a folder invalidate the cache.
  listing = {k: [c["path"] for c in v] for k, v in pools.items()}
  key = hashlib.sha1(json.dumps([config, listing], sort_keys=True, default=str).encode()).hexdigest()[:16]
  audio_dir, feat_dir = os.path.join(work, "audio"), os.path.join(work, "features")
  summary_path = os.path.join(audio_dir, "summary.json")
  summary = None
  if os.path.exists(summary_path):
    with open(summary_path) as f:
      summary = json.load(f)
    if summary.get("key") != key or not all(
        os.path.exists(os.path.join(audio_dir, n + ".raw")) for n in summary["sets"]):
      summary = None
  if summary is None:
    summary = _build_audio(config, pools, key, audio_dir, log)
  else:
    log(f"audio: reusing {audio_dir} (key {key})")
  if audio_only:
    return summary

  os.makedirs(feat_dir, exist_ok=True)
  t1 = time.time()
  for name in summary["sets"]:
    dst = os.path.join(feat_dir, name + ".npz")
    if os.path.exists(dst):
      with np.load(dst) as d:
        if "key" in d and str(d["key"]) == key and str(d["frontend"]) == frontend:
          continue
    raw = os.path.join(audio_dir, name + ".raw")
    clips = np.fromfile(raw, dtype="<i2").reshape(-1, dataset.CLIP_SAMPLES)
    meta = np.load(os.path.join(audio_dir, name + ".meta.npz"))
    if len(clips):
      x = features.extract(clips, frontend, kws)
    else:
      x = np.zeros((0,) + features.SHAPES[frontend], np.float32)
    np.savez(dst, x=x, y=meta["y"], source=meta["source"], group=meta["group"],
             key=np.asarray(key), frontend=np.asarray(frontend))
    log(f"features {name}: {x.shape}")
  summary["frontend"] = frontend
  summary["feature_seconds"] = round(time.time() - t1, 1)
  summary["seconds"] = round(time.time() - t0, 1)
  with open(os.path.join(feat_dir, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
  return summary


def _build_audio(config, pools, key, audio_dir, log):
  """The audio stage: every set's clips as raw s16le plus labels/sources/groups."""
  t0 = time.time()
  tq = _progress()
  seed, rounds, per_class = config["seed"], config["rounds"], config["per_class"]
  if not pools["train"]:
    raise dataset.DataError("no training clips: pass --data and/or --synth")
  noise_paths = [p for r in config["real_roots"] for p in dataset.noise_files(r)]
  noise = augment.NoiseBank(noise_paths)
  imp = augment.load_impulses(config["impulses"] or augment.default_impulse_folder())
  log(f"noise recordings: {len(noise.train)}, room responses: {len(imp)}")
  os.makedirs(audio_dir, exist_ok=True)

  def save(name, clips, y, src, grp):
    np.ascontiguousarray(clips, dtype="<i2").tofile(os.path.join(audio_dir, name + ".raw"))
    np.savez(os.path.join(audio_dir, name + ".meta.npz"), y=np.asarray(y, dtype=np.int64),
             source=np.asarray(src), group=np.asarray(grp))

  train = pools["train"]
  audio = dataset.load_clips(train, progress=tq)
  tones = None
  if config["silence_mix"][3] > 0:
    # Unpadded real clips only: the zero padding of a short clip is not room tone.
    tones = augment.room_tones([dataset.read_audio(c["path"]) for c in train if c["group"] == "real"])
    log(f"room tones from real training clips: {len(tones)}")
  colorings = None
  if config["color_synthetic"] > 0:
    colorings = augment.spectral_colorings(
      [a for a, c in zip(audio, train) if c["group"] == "real" and c["label"] != dataset.UNKNOWN])
    log(f"spectral colorings from real training keywords: {len(colorings)}")
  aug = augment.Augmenter(noise, imp, tones=tones, silence_mix=config["silence_mix"],
                          p_eq_synthetic=config["eq_synthetic"], colorings=colorings,
                          p_color_synthetic=config["color_synthetic"],
                          p_quiet=config["quiet_tail"], quiet_hiss_db=config["quiet_hiss_db"])
  if config["negatives"]:
    extra, sources = negatives.pseudo_words(audio, train, config["negatives"],
                                            np.random.default_rng([seed, 2000]))
    log(f"pseudo-words from real speech: {len(extra)}")
    audio = np.concatenate([audio, extra])
    train = train + [{"path": s, "word": "_pseudo", "label": dataset.UNKNOWN, "speaker": "",
                      "split": "training", "group": "pseudo"} for s in sources]
  if config["transplants"]:
    from . import transplant

    extra, words, sources = transplant.transplants(
      audio, train, config["transplant_words"], config["transplants"],
      np.random.default_rng([seed, 3000]), log=log)
    audio = np.concatenate([audio, extra])
    train = train + [{"path": s, "word": w, "label": dataset.LABELS.index(w), "speaker": "",
                      "split": "training", "group": "transplant"} for w, s in zip(words, sources)]
  labels = np.array([c["label"] for c in train])
  if per_class is None:
    # Every keyword's pool fully used once per round; smaller pools repeat.
    per_class = max(int(np.sum(labels == dataset.LABELS.index(k))) for k in dataset.KEYWORDS)
  summary = {"key": key, "config": config, "per_class": per_class, "noise": noise.names,
             "impulses": len(imp), "room_tones": len(tones or []), "sets": [],
             "pool": {"train": _counts(labels),
                      "train_real": _counts([c["label"] for c in train if c["group"] == "real"]),
                      "train_pseudo": _counts([c["label"] for c in train if c["group"] == "pseudo"]),
                      "train_transplant": _counts([c["label"] for c in train if c["group"] == "transplant"])}}
  for r in range(rounds):
    rng = np.random.default_rng([seed, r])
    idx = augment.balanced_indices(labels, per_class, rng)
    clips = np.stack([aug.speech(audio[i], rng, synthetic=train[i]["group"] not in REAL_GROUPS)
                      for i in tq(idx, desc=f"augment round {r}", unit="clip")]
                     + [aug.silence(rng) for _ in range(per_class)])
    y = np.concatenate([labels[idx], np.full(per_class, dataset.SILENCE)])
    save(f"train_r{r}", clips, y, [train[i]["path"] for i in idx] + ["silence"] * per_class,
         [train[i]["group"] for i in idx] + ["silence"] * per_class)
    summary["sets"].append(f"train_r{r}")
    summary.setdefault("train_rounds", []).append(_counts(y))

  for split in SPLITS:
    clips_meta = pools[split]
    audio_s = (dataset.load_clips(clips_meta, progress=tq) if clips_meta
               else np.zeros((0, dataset.CLIP_SAMPLES), np.int16))
    # A clip without one positive sample (e.g. a large negative DC offset) has no
    # MFCC clip-peak normalization (x / max(x)); `kws eval` feeds such a clip as it
    # is, `kws features` refuses it. Held-out sets leave it out and say so.
    keep = audio_s.max(axis=1, initial=0) > 0 if len(audio_s) else np.zeros(0, bool)
    if not keep.all():
      dropped = [c["path"] for c, k in zip(clips_meta, keep) if not k]
      log(f"{split}: left out {len(dropped)} clip(s) without a positive sample: {dropped}")
      summary.setdefault("left_out", {})[split] = dropped
      clips_meta = [c for c, k in zip(clips_meta, keep) if k]
      audio_s = audio_s[keep]
    y = [c["label"] for c in clips_meta]
    src = [c["path"] for c in clips_meta]
    grp = [c["group"] for c in clips_meta]
    if split in ("val", "test_real") and clips_meta:
      # Silence clips from the held-out part of the noise, as many as an average
      # keyword class has in this split.
      kw = [v for v in y if v < len(dataset.KEYWORDS)]
      n_sil = max(1, round(len(kw) / max(1, len(set(kw)))))
      rng = np.random.default_rng([seed, 1000 + SPLITS.index(split)])
      audio_s = np.concatenate([audio_s, np.stack([aug.silence(rng, "held_out") for _ in range(n_sil)])])
      y += [dataset.SILENCE] * n_sil
      src += ["silence"] * n_sil
      grp += ["silence"] * n_sil
    save(split, audio_s, y, src, grp)
    summary["sets"].append(split)
    summary[split] = _counts(y)
    log(f"{split}: {len(y)} clips")
  summary["audio_seconds"] = round(time.time() - t0, 1)
  with open(os.path.join(audio_dir, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
  return summary


def train_rounds(work):
  paths = sorted(glob.glob(os.path.join(work, "features", "train_r*.npz")),
                 key=lambda p: int(p.rsplit("_r", 1)[1].split(".")[0]))
  if not paths:
    raise FileNotFoundError(f"no training rounds in '{work}/features': run `train.py features` first")
  return paths


# SpecAugment defaults per front end: (time masks, max frames, freq masks, max bins).
# MFCC has 10 coefficients, so one narrow band; log-mel has 40 channels.
SPEC_AUGMENT = {"mfcc": (2, 6, 1, 2), "micro-speech": (2, 6, 2, 5), "microfrontend": (2, 12, 2, 5)}


def train(work, epochs=30, batch=100, lr=1e-3, seed=1, filters=128, blocks=4,
          spec_augment=False, label_smoothing=0.0, mixup=0.0, log=print):
  """Trains the DS-CNN, one augmentation round per epoch; keeps the best-val weights.

  Per epoch the round's features get fresh SpecAugment masks (`spec_augment`, see
  `specaugment.py`; the widths follow the front end) and optionally mixup
  (`mixup` = Beta alpha, 0 = off). `label_smoothing` spreads that much of each
  target over the other classes.
  """
  import keras
  import tensorflow as tf

  from . import specaugment
  from .model import ds_cnn, folded_parameter_count

  keras.utils.set_random_seed(seed)
  tf.config.experimental.enable_op_determinism()
  t0 = time.time()
  rounds = train_rounds(work)
  xv, yv, _, gv = load_npz(os.path.join(work, "features", "val.npz"))
  cache = {}

  def round_data(e):
    p = rounds[e % len(rounds)]
    if p not in cache:
      if len(cache) >= 2:  # at most two rounds (about 50 MB each) in memory
        cache.pop(next(iter(cache)))
      x, y, _, _ = load_npz(p)
      cache[p] = (x[..., np.newaxis], y)
    return cache[p]

  x0, _ = round_data(0)
  model = ds_cnn(x0.shape[1:3], filters=filters, blocks=blocks)
  # Step schedule: full rate for 60 % of epochs, then /3, then /10 for the last 15 %.
  def rate(e):
    return lr if e < 0.6 * epochs else lr / 3 if e < 0.85 * epochs else lr / 10

  classes = len(dataset.LABELS)
  model.compile(optimizer=keras.optimizers.Adam(lr),
                loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
                metrics=["accuracy"])
  frontend = _frontend_of(work)
  masks = SPEC_AUGMENT.get(frontend, SPEC_AUGMENT["mfcc"]) if spec_augment else None
  real_val = np.isin(gv, ["real", "silence"])  # real speakers + real-noise silence
  history, best, best_weights = [], -1.0, None
  for e in range(epochs):
    model.optimizer.learning_rate.assign(rate(e))
    x, y = round_data(e)
    rng = np.random.default_rng([seed, 7000 + e])
    yh = np.eye(classes, dtype=np.float32)[y]
    if masks:
      x = specaugment.spec_augment(x[..., 0], rng, *masks)[..., np.newaxis]
    if mixup > 0:
      xm, yh = specaugment.mixup(x[..., 0], yh, rng, mixup)
      x = xm[..., np.newaxis]
    h = model.fit(x, yh, batch_size=batch, epochs=1, shuffle=True, verbose=0)
    pv = model.predict(xv[..., np.newaxis], batch_size=500, verbose=0)
    hit = np.argmax(pv, axis=1) == yv
    val_loss = float(np.mean(-np.log(np.maximum(pv[np.arange(len(yv)), yv], 1e-7))))
    row = {"epoch": e + 1, "lr": rate(e), "loss": round(float(h.history["loss"][0]), 4),
           "accuracy": round(float(h.history["accuracy"][0]), 4),
           "val_loss": round(val_loss, 4), "val_accuracy": round(float(np.mean(hit)), 4),
           "val_real_accuracy": round(float(np.mean(hit[real_val])), 4) if real_val.any() else None}
    history.append(row)
    log(f"epoch {e + 1}/{epochs}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "epoch"))
    if row["val_accuracy"] > best:
      # Saved as it improves, so a run stopped early still leaves its best model.
      best, best_weights = row["val_accuracy"], model.get_weights()
      model.save(os.path.join(work, "model_float.keras"))
    info = {"epochs": epochs, "batch": batch, "lr": lr, "seed": seed, "filters": filters,
            "blocks": blocks, "frontend": frontend, "spec_augment": masks,
            "label_smoothing": label_smoothing, "mixup": mixup, "parameters_folded": folded_parameter_count(model),
            "best_val_accuracy": best, "seconds": round(time.time() - t0, 1), "history": history}
    with open(os.path.join(work, "history.json"), "w") as f:
      json.dump(info, f, indent=1)
  model.set_weights(best_weights)
  return info


def _frontend_of(work):
  """The front end the work folder's features were made with ("mfcc" if unknown)."""
  path = os.path.join(work, "features", "summary.json")
  if os.path.exists(path):
    with open(path) as f:
      return json.load(f).get("frontend", "mfcc")
  return "mfcc"


def unheard_keywords(work):
  """Keywords with training clips but not one real one (`on`/`off` here), from
  features/summary.json; none when no keyword has a real clip (nothing to compare)."""
  with open(os.path.join(work, "features", "summary.json")) as f:
    pool = json.load(f)["pool"]
  real, every = pool.get("train_real", {}), pool.get("train", {})
  if not any(real.get(k, 0) for k in dataset.KEYWORDS):
    return []
  return [k for k in dataset.KEYWORDS if every.get(k, 0) and not real.get(k, 0)]


def with_prior(model, prior):
  """`model` with log(factor) added to the logit of each label in `prior` ({label:
  factor}): its probability scaled by the factor before the softmax normalizes
  (`evaluate.prior_curve`). A copy; `model` is left as it is (and returned as it is
  for an empty prior)."""
  import keras

  if not prior:
    return model
  out = keras.models.clone_model(model)
  out.set_weights(model.get_weights())
  layer = out.get_layer("logits")
  kernel, bias = layer.get_weights()
  for label, factor in prior.items():
    bias[dataset.LABELS.index(label)] += np.log(factor)
  layer.set_weights([kernel, bias])
  return out


def float_model(work):
  """The trained Keras model with the prior its export recorded (export.json), so
  float scores are those of the model that ships."""
  import keras

  model = keras.models.load_model(os.path.join(work, "model_float.keras"))
  path = os.path.join(work, "export.json")
  prior = {}
  if os.path.exists(path):
    with open(path) as f:
      prior = json.load(f).get("prior", {})
  return with_prior(model, prior)


def export(work, samples=1000, seed=0, unheard_prior=1.0, log=print):
  """Writes model_int8.tflite (and model_float.tflite) from model_float.keras.

  `unheard_prior`: a keyword learned without one real clip (`unheard_keywords`)
  has its probability scaled by this factor in the exported model (its logit bias
  raised by the log of it), as measured on keywords held out of real training
  (Models/README.md); recorded in export.json as `prior`."""
  import keras

  from .export import float_tflite, op_names, to_int8_tflite
  from .evaluate import TflmModel

  prior = {k: unheard_prior for k in unheard_keywords(work)} if unheard_prior != 1.0 else {}
  model = with_prior(keras.models.load_model(os.path.join(work, "model_float.keras")), prior)
  if prior:
    log(f"prior: {', '.join(f'{k} x{v}' for k, v in prior.items())} (keywords without real training clips)")
  x, _, _, _ = load_npz(train_rounds(work)[0])
  int8 = to_int8_tflite(model, x, samples, seed)
  path = os.path.join(work, "model_int8.tflite")
  with open(path, "wb") as f:
    f.write(int8)
  with open(os.path.join(work, "model_float.tflite"), "wb") as f:
    f.write(float_tflite(model))
  m = TflmModel(path)
  info = {"bytes": len(int8), "calibration_samples": min(samples, len(x)),
          "input_scale": m.in_scale, "input_zero_point": m.in_zero,
          "output_scale": m.out_scale, "output_zero_point": m.out_zero,
          "input_shape": [int(v) for v in m.in_shape], "ops": op_names(path), "prior": prior}
  with open(os.path.join(work, "export.json"), "w") as f:
    json.dump(info, f, indent=1)
  log(f"{path}: {len(int8)} bytes, input scale {m.in_scale} zero point {m.in_zero}")
  return info


def evaluate(work, log=print):
  """Float (Keras) and int8 (TFLM) scores on every held-out set -> eval.json."""
  from .evaluate import TflmModel, grouped_accuracy, scores, threshold_table

  model = float_model(work)
  tflm = TflmModel(os.path.join(work, "model_int8.tflite"))
  report = {}
  for split in SPLITS:
    x, y, _, grp = load_npz(os.path.join(work, "features", f"{split}.npz"))
    if len(y) == 0:
      continue
    pf = np.argmax(model.predict(x[..., np.newaxis], batch_size=500, verbose=0), axis=1)
    qv = tflm.predict(x, progress=_progress())
    pq = np.argmax(qv, axis=1)
    entry = {"float": scores(y, pf), "int8": scores(y, pq),
             "int8_agrees_with_float": round(float(np.mean(pf == pq)), 4)}
    if split == "val":
      # The real held-out speakers alone (plus silence, cut from real noise): the
      # figure the 90 % target is about; synthetic validation voices are left out.
      real = np.isin(grp, ["real", "silence"])
      entry["real_speakers"] = {"float": scores(y[real], pf[real]), "int8": scores(y[real], pq[real])}
      # Detection threshold trade-off on the int8 model's probabilities (all of
      # validation, so on/off count too); `ship` takes the manifest threshold from it.
      entry["thresholds"] = threshold_table(y, (qv.astype(np.float64) - tflm.out_zero) * tflm.out_scale)
    if split in ("val", "test_synth"):
      # Per held-out festival voice; per engine (real, espeak, ...) for validation.
      groups = grp if split == "test_synth" else np.array([g.split("/")[0] for g in grp])
      entry["float_by_group"] = grouped_accuracy(y, pf, groups)
      entry["int8_by_group"] = grouped_accuracy(y, pq, groups)
    report[split] = entry
    log(f"{split}: n {len(y)}, float {entry['float']['accuracy']}, int8 {entry['int8']['accuracy']}")
    if "real_speakers" in entry:
      r = entry["real_speakers"]
      log(f"{split} real speakers: n {r['int8']['n']}, float {r['float']['accuracy']}, "
          f"int8 {r['int8']['accuracy']}")
  with open(os.path.join(work, "eval.json"), "w") as f:
    json.dump(report, f, indent=1)
  return report


def prior_curves(work, labels, log=print):
  """`evaluate.prior_curve` of each label on the real validation speakers (and, if
  any, on the held-out words, where every call of the label is false), from the
  float model: how far a keyword's recall on real speech moves when only its prior
  does. Written to prior_curves.json."""
  from .evaluate import prior_curve

  # Factors count from the exported prior, if any (export.json).
  model = float_model(work)
  report = {}
  sets = [("val_real", "val", True), ("test_words", "test_words", False)]
  for name, split, real_only in sets:
    x, y, _, grp = load_npz(os.path.join(work, "features", f"{split}.npz"))
    if real_only:
      keep = np.isin(grp, ["real", "silence"])
      x, y = x[keep], y[keep]
    if not len(y):
      continue
    p = model.predict(x[..., np.newaxis], batch_size=500, verbose=0)
    for label in labels:
      rows = prior_curve(y, p, dataset.LABELS.index(label))
      report.setdefault(label, {})[name] = rows
      for r in rows:
        log(f"{label} {name} x{r['factor']}: accuracy {r['accuracy']}, recall {r['recall']}, "
            f"false {r['false']}")
  with open(os.path.join(work, "prior_curves.json"), "w") as f:
    json.dump(report, f, indent=1)
  return report


def ship(work, dest, name="kws-speech-commands", log=print):
  """Copies the int8 model and its scores to `dest` as NAME.{tflite,eval.json} and
  writes the manifest NAME.json that `kws` and the firmware read. The manifest's
  `name` is "speech-commands-dscnn" plus what NAME adds to "kws-speech-commands"
  ("kws-speech-commands-s" -> "speech-commands-dscnn-s"), else NAME itself.

  The detection threshold comes from validation (`eval.json` `val.thresholds`,
  `evaluate.pick_threshold`): never from a test set. Smoothing (mean of the last 3
  invocations, 100 ms apart at stride 5) and the 1 s refractory period stay fixed.
  """
  import shutil

  from .evaluate import pick_threshold

  with open(os.path.join(work, "eval.json")) as f:
    report = json.load(f)
  if "thresholds" not in report.get("val", {}):
    raise FileNotFoundError(f"'{work}/eval.json' has no validation thresholds: run `train.py evaluate`")
  frontend = _frontend_of(work)
  threshold = pick_threshold(report["val"]["thresholds"])
  frames = features.SHAPES[frontend][0]
  manifest = {
    "type": "kws", "version": 1,
    "name": ("speech-commands-dscnn" + name[len("kws-speech-commands"):]
             if name.startswith("kws-speech-commands") else name),
    "model": f"{name}.tflite", "kind": "classifier", "frontend": frontend,
    # MFCC was trained on clips divided by their peak (MLPerf style); log-mel is not.
    "normalization": "clip-peak" if frontend == "mfcc" else "none",
    "labels": dataset.LABELS, "window_frames": frames, "stride_frames": 5,
    "detection": {"threshold": threshold, "smoothing": 3, "refractory_ms": 1000, "minimum_count": 1},
  }
  os.makedirs(dest, exist_ok=True)
  shutil.copyfile(os.path.join(work, "model_int8.tflite"), os.path.join(dest, f"{name}.tflite"))
  shutil.copyfile(os.path.join(work, "eval.json"), os.path.join(dest, f"{name}.eval.json"))
  text = json.dumps(manifest, indent=2)
  # One line each for the label list and the detection settings, as the
  # hand-written manifests have them.
  for key in ("labels", "detection"):
    text = text.replace(json.dumps(manifest[key], indent=2).replace("\n", "\n  "),
                        json.dumps(manifest[key]))
  with open(os.path.join(dest, f"{name}.json"), "w") as f:
    f.write(text + "\n")
  log(f"shipped {name}.tflite/.json/.eval.json to {dest} (frontend {frontend}, threshold {threshold})")
  return manifest
