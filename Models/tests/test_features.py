import numpy as np
import pytest

from kws_train import evaluate, features


def test_extract_keeps_clip_order_across_chunks(fake_kws, monkeypatch):
  monkeypatch.setattr(features, "CHUNK", 3)
  clips = np.zeros((7, 16000), np.int16)
  for i in range(7):
    clips[i] = (i + 1) * 100
  x = features.extract(clips, "mfcc", fake_kws)
  assert x.shape == (7, 49, 10) and x.dtype == np.float32
  assert np.all(np.diff(x[:, 0, 0]) > 0)  # louder clip, larger value: order kept


def test_extract_names_a_missing_binary(tmp_path):
  with pytest.raises(features.FeatureError, match="swift build -c release"):
    features.extract(np.zeros((1, 16000), np.int16), "mfcc", str(tmp_path / "nokws"))


def test_extract_rejects_clips_of_the_wrong_length(fake_kws):
  with pytest.raises(features.FeatureError, match="int16"):
    features.extract(np.zeros((2, 8000), np.int16), "mfcc", fake_kws)


def test_quantize_input_rounds_half_away_from_zero_and_clamps():
  x = np.array([0.5, 1.5, -0.5, -1.5, 2.49, 1000.0, -1000.0])
  assert evaluate.quantize_input(x, 1.0, 0).tolist() == [1, 2, -1, -2, 2, 127, -128]
  assert evaluate.quantize_input(np.array([0.0]), 0.5, -128).tolist() == [-128]


def test_scores_confusion_and_recall():
  s = evaluate.scores([0, 0, 1, 11, 11], [0, 1, 1, 11, 0])
  assert s["accuracy"] == 0.6
  assert s["confusion"]["matrix"][0][:2] == [1, 1]
  assert s["per_class_recall"]["down"] == 0.5
  assert s["per_class_recall"]["on"] is None


def test_integer_codes_become_real_values():
  q16 = np.array([[65536, -32768]], np.int32)
  assert features.to_real(q16, "mfcc").tolist() == [[1.0, -0.5]]
  assert features.to_real(np.array([256], np.uint16), "microfrontend").tolist() == [10.0]
  with pytest.raises(features.FeatureError, match="without --quantize"):
    features.to_real(np.array([1], np.int8), "mfcc")
