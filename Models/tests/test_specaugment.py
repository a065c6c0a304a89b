import numpy as np

from kws_train import specaugment


def _features(n=8, frames=49, bins=10):
  rng = np.random.default_rng(0)
  return rng.normal(size=(n, frames, bins)).astype(np.float32) + np.arange(bins, dtype=np.float32)


def test_one_single_frame_mask_changes_exactly_one_frame_to_the_bin_means():
  x = _features()
  # Width 1 can still draw 0 (no mask); over 8 clips and this seed both occur.
  out = specaugment.spec_augment(x, np.random.default_rng(3), time_masks=1, time_width=1,
                                 freq_masks=0, freq_width=0)
  changed_frames = np.any(out != x, axis=2)  # [N, frames]
  assert changed_frames.sum(axis=1).max() == 1
  assert changed_frames.sum() >= 1
  for i, t in zip(*np.nonzero(changed_frames)):
    assert np.allclose(out[i, t], x[i].mean(axis=0))


def test_frequency_masks_stay_within_their_width_and_leave_the_input_alone():
  x = _features()
  before = x.copy()
  out = specaugment.spec_augment(x, np.random.default_rng(5), time_masks=0, time_width=0,
                                 freq_masks=1, freq_width=3)
  assert np.array_equal(x, before)
  changed_bins = np.any(out != x, axis=1)  # [N, bins]
  widths = changed_bins.sum(axis=1)
  assert widths.max() <= 3 and widths.max() >= 1
  # A masked band is contiguous.
  for row in changed_bins:
    idx = np.nonzero(row)[0]
    if len(idx):
      assert idx[-1] - idx[0] + 1 == len(idx)


def test_masks_are_a_function_of_the_seed():
  x = _features()
  a = specaugment.spec_augment(x, np.random.default_rng(11))
  b = specaugment.spec_augment(x, np.random.default_rng(11))
  c = specaugment.spec_augment(x, np.random.default_rng(12))
  assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_mixup_keeps_the_clip_label_in_the_lead_and_sums_to_one():
  x = _features()
  y = np.eye(12, dtype=np.float32)[np.arange(8) % 12]
  xm, ym = specaugment.mixup(x, y, np.random.default_rng(2), alpha=0.4)
  assert xm.shape == x.shape and ym.shape == y.shape
  assert np.allclose(ym.sum(axis=1), 1.0)
  assert np.all(np.argmax(ym, axis=1) == np.arange(8) % 12) or np.all(ym.max(axis=1) >= 0.5)
  assert np.all(ym[np.arange(8), np.arange(8) % 12] >= 0.5 - 1e-6)


def test_threshold_table_counts_hits_and_false_accepts_per_threshold():
  from kws_train import evaluate

  # Two keyword clips (class 0 right at 0.9, class 1 wrong), one unknown (11) that a
  # keyword takes at 0.7.
  probs = np.zeros((3, 12))
  probs[0, 0], probs[0, 11] = 0.9, 0.1
  probs[1, 0], probs[1, 1] = 0.6, 0.4
  probs[2, 3], probs[2, 11] = 0.7, 0.3
  rows = evaluate.threshold_table([0, 1, 11], probs, thresholds=[0.5, 0.8, 0.95])
  assert rows == [{"threshold": 0.5, "hit": 0.5, "false_accept": 1.0},
                  {"threshold": 0.8, "hit": 0.5, "false_accept": 0.0},
                  {"threshold": 0.95, "hit": 0.0, "false_accept": 0.0}]
  assert evaluate.pick_threshold(rows) == 0.8


def test_prior_curve_moves_calls_to_the_scaled_class():
  from kws_train.evaluate import prior_curve

  # Class 1 clips with probability 0.4 and 0.2 for class 1, one class-0 clip at 0.45.
  y = np.array([1, 1, 0])
  p = np.array([[0.6, 0.4], [0.8, 0.2], [0.55, 0.45]])
  rows = {r["factor"]: r for r in prior_curve(y, p, 1, factors=(1, 1.4, 1.6, 5))}
  assert rows[1] == {"factor": 1, "accuracy": round(1 / 3, 4), "balanced": 0.5, "recall": 0.0, "false": 0}
  # Balanced = mean of the class recalls: at 1.6 class 1 is half right and the one
  # class-0 clip is lost (0.25, accuracy 1/3); at 5, 1.0 and 0.0 (0.5, accuracy 2/3).
  assert rows[1.6]["balanced"] == 0.25 and rows[1.6]["accuracy"] == round(1 / 3, 4)
  assert rows[5]["balanced"] == 0.5
  assert rows[1.4]["recall"] == 0.0 and rows[1.4]["false"] == 1  # 0.45 x 1.4 > 0.55
  assert rows[1.6]["recall"] == 0.5 and rows[5]["recall"] == 1.0 and rows[5]["false"] == 1
  assert rows[5]["accuracy"] == round(2 / 3, 4)
