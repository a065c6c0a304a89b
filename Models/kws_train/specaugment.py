"""Feature-side augmentation for training: SpecAugment masks and mixup.

Applied to a whole round of features each epoch (a new draw every epoch, from the
epoch's own seed), so the 4 cached audio rounds give the network a different view
on every pass at no front-end cost.

SpecAugment (Park et al., 2019), as used here:
- `time_masks` masks, each up to `time_width` consecutive frames (20 ms each for
  mfcc and micro-speech), and `freq_masks` masks of up to `freq_width` bins (MFCC
  coefficients or mel channels).
- A masked cell takes the clip's mean of its bin over time, not 0: 0 is a real,
  loud value for log-mel codes and a strong MFCC c0, while the bin's own mean
  removes the information without adding an outlier.

Example: a [2, 49, 10] batch with time_masks=1, time_width=1 changes exactly one
frame per clip, to the per-bin mean.
"""

import numpy as np


def spec_augment(x, rng, time_masks=2, time_width=6, freq_masks=1, freq_width=2):
  """A masked copy of features `x` float32[N, frames, bins]."""
  x = np.array(x, dtype=np.float32, copy=True)
  n, frames, bins = x.shape
  if n == 0:
    return x
  mean = x.mean(axis=1, keepdims=True)  # [N, 1, bins]: each bin's time average
  rows = np.arange(n)[:, None]

  def masks(count, width, size):
    # [N, size] boolean: `count` bands of width 0..width at random starts.
    m = np.zeros((n, size), dtype=bool)
    width = min(width, size)
    for _ in range(count):
      w = rng.integers(0, width + 1, size=n)
      start = rng.integers(0, size - w + 1)
      idx = start[:, None] + np.arange(width)[None, :]
      keep = np.arange(width)[None, :] < w[:, None]
      m[np.broadcast_to(rows, idx.shape)[keep], idx[keep]] = True
    return m

  tm = masks(time_masks, time_width, frames)  # [N, frames]
  fm = masks(freq_masks, freq_width, bins)  # [N, bins]
  cell = tm[:, :, None] | fm[:, None, :]
  return np.where(cell, np.broadcast_to(mean, x.shape), x)


def mixup(x, y_onehot, rng, alpha=0.2):
  """Mixup (Zhang et al., 2018): pairs each clip with a shuffled partner, weights
  lambda ~ Beta(alpha, alpha) per clip (kept >= 0.5 so the clip's own label leads)."""
  n = len(x)
  if n == 0 or alpha <= 0:
    return x, y_onehot
  lam = rng.beta(alpha, alpha, size=n).astype(np.float32)
  lam = np.maximum(lam, 1 - lam)
  perm = rng.permutation(n)
  xm = lam[:, None, None] * x + (1 - lam[:, None, None]) * x[perm]
  ym = lam[:, None] * y_onehot + (1 - lam[:, None]) * y_onehot[perm]
  return xm.astype(np.float32), ym.astype(np.float32)
