import json
import os

import numpy as np

from kws_train import pipeline


def test_features_train_export_evaluate_end_to_end(tiny_dataset, fake_kws, tmp_path):
  work = str(tmp_path / "work")
  summary = pipeline.build_features([tiny_dataset], [], [], work, rounds=2, seed=3,
                                    kws=fake_kws, log=lambda *_: None)
  # Per round: every class present in training gets the same count, plus silence.
  r0 = summary["train_rounds"][0]
  present = [v for k, v in r0.items() if v]
  assert len(set(present)) == 1 and r0["silence"] == summary["per_class"]
  x, y, src, _ = pipeline.load_npz(os.path.join(work, "features", "train_r0.npz"))
  assert x.shape[1:] == (49, 10) and len(x) == len(y) == len(src)
  # Held-out speakers never appear in training.
  sp = lambda paths: {os.path.basename(p).split("_nohash_")[0] for p in paths if p != "silence"}
  for split in ("val", "test_real"):
    _, _, s, _ = pipeline.load_npz(os.path.join(work, "features", f"{split}.npz"))
    assert not (sp(s) & sp(src))

  logs = []
  pipeline.build_features([tiny_dataset], [], [], work, rounds=2, seed=3, kws=fake_kws,
                          log=logs.append)
  assert any("reusing" in m for m in logs) and not any(m.startswith("features") for m in logs)

  again = str(tmp_path / "again")
  pipeline.build_features([tiny_dataset], [], [], again, rounds=1, seed=3, kws=fake_kws,
                          log=lambda *_: None)
  x2, _, _, _ = pipeline.load_npz(os.path.join(again, "features", "train_r0.npz"))
  assert np.array_equal(x, x2)

  # A clip added to the data folder invalidates the cached audio.
  import shutil
  shutil.copy(os.path.join(tiny_dataset, "yes", "00000000_nohash_0.wav"),
              os.path.join(tiny_dataset, "yes", "00000000_nohash_1.wav"))
  logs = []
  pipeline.build_features([tiny_dataset], [], [], work, rounds=2, seed=3, kws=fake_kws,
                          log=logs.append)
  assert not any("reusing" in m for m in logs)

  info = pipeline.train(work, epochs=2, batch=16, filters=8, blocks=1, log=lambda *_: None)
  assert len(info["history"]) == 2
  exp = pipeline.export(work, samples=50, unheard_prior=2.0, log=lambda *_: None)
  assert exp["input_shape"] == [1, 49, 10, 1]
  # Every keyword trained here has real clips: no prior to raise.
  assert exp["prior"] == {}
  assert set(exp["ops"]) == {"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D",
                             "FULLY_CONNECTED", "SOFTMAX"}
  assert exp["output_zero_point"] == -128 and abs(exp["output_scale"] - 1 / 256) < 1e-9
  report = pipeline.evaluate(work, log=lambda *_: None)
  assert set(report) == {"val", "test_real"}
  saved = json.load(open(os.path.join(work, "eval.json")))
  assert saved["test_real"]["int8"]["confusion"]["labels"][10:] == ["silence", "unknown"]
  # The threshold table runs over validation and ship takes its threshold from it.
  rows = saved["val"]["thresholds"]
  assert [r["threshold"] for r in rows] == sorted(r["threshold"] for r in rows)
  assert all(a["hit"] >= b["hit"] for a, b in zip(rows, rows[1:]))
  dest = str(tmp_path / "shipped")
  manifest = pipeline.ship(work, dest, log=lambda *_: None)
  on_disk = json.load(open(os.path.join(dest, "kws-speech-commands.json")))
  assert on_disk == manifest and on_disk["labels"][-2:] == ["silence", "unknown"]
  assert on_disk["frontend"] == "mfcc" and on_disk["normalization"] == "clip-peak"
  assert on_disk["detection"]["threshold"] in [r["threshold"] for r in rows]
  with open(os.path.join(dest, "kws-speech-commands.tflite"), "rb") as f:
    assert f.read() == open(os.path.join(work, "model_int8.tflite"), "rb").read()
  small = pipeline.ship(work, dest, name="kws-speech-commands-s", log=lambda *_: None)
  assert small["name"] == "speech-commands-dscnn-s" and small["model"] == "kws-speech-commands-s.tflite"
  assert json.load(open(os.path.join(dest, "kws-speech-commands-s.json"))) == small


def test_keywords_without_real_clips_get_the_prior_and_evaluation_sees_it(tmp_path):
  import keras

  from kws_train import dataset
  from kws_train.model import ds_cnn

  work = tmp_path / "work"
  (work / "features").mkdir(parents=True)
  counts = lambda **kw: {k: kw.get(k, 0) for k in dataset.LABELS}
  summary = {"pool": {"train": counts(yes=9, on=5, off=4, up=3, unknown=7),
                      "train_real": counts(yes=9, up=3, unknown=7)}}
  (work / "features" / "summary.json").write_text(json.dumps(summary))
  assert pipeline.unheard_keywords(str(work)) == ["off", "on"]
  # All synthetic: nothing to compare with, so no keyword is singled out.
  summary["pool"]["train_real"] = counts()
  (work / "features" / "summary.json").write_text(json.dumps(summary))
  assert pipeline.unheard_keywords(str(work)) == []

  keras.utils.set_random_seed(0)
  model = ds_cnn((49, 10), filters=4, blocks=1)
  x = np.random.default_rng(0).normal(size=(8, 49, 10, 1)).astype(np.float32)
  before = model.predict(x, verbose=0)
  scaled = pipeline.with_prior(model, {"on": 2.0}).predict(x, verbose=0)
  on, yes = dataset.LABELS.index("on"), dataset.LABELS.index("yes")
  np.testing.assert_allclose(scaled[:, on] / scaled[:, yes], 2.0 * before[:, on] / before[:, yes], rtol=1e-4)
  np.testing.assert_allclose(scaled.sum(axis=1), 1.0, rtol=1e-5)
  np.testing.assert_array_equal(model.predict(x, verbose=0), before)  # the original is untouched

  # The float model evaluation scores is the one export recorded a prior for.
  model.save(str(work / "model_float.keras"))
  np.testing.assert_allclose(pipeline.float_model(str(work)).predict(x, verbose=0), before, rtol=1e-6)
  (work / "export.json").write_text(json.dumps({"prior": {"on": 2.0}}))
  np.testing.assert_allclose(pipeline.float_model(str(work)).predict(x, verbose=0), scaled, rtol=1e-5)
