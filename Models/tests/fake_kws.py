#!/usr/bin/env python3
"""Test double for `kws features` (argument parsing and file formats only).

It is NOT a front end: it writes per-segment RMS values in the shape the real tool
produces, so the pipeline's plumbing (raw clip files in, .npy out, clip order) can
be tested before or without a Swift build. Training uses the real tool.
"""

import argparse

import numpy as np

SHAPES = {"mfcc": (49, 10), "micro-speech": (49, 40), "microfrontend": (98, 40)}

ap = argparse.ArgumentParser()
ap.add_argument("command", choices=["features"])
ap.add_argument("--frontend", required=True)
ap.add_argument("--raw-clips", required=True)
ap.add_argument("--clip-samples", type=int, required=True)
ap.add_argument("--format", choices=["npy"], required=True)
ap.add_argument("--output", required=True)
a = ap.parse_args()
x = np.fromfile(a.raw_clips, dtype="<i2").astype(np.float64)
n = len(x) // a.clip_samples
frames, bins = SHAPES[a.frontend]
seg = a.clip_samples // (frames * bins)
x = x[: n * a.clip_samples].reshape(n, a.clip_samples)[:, : frames * bins * seg]
rms = np.sqrt(np.mean(x.reshape(n, frames * bins, seg) ** 2, axis=2) + 1.0)
codes = np.log(rms).reshape(n, frames, bins)
# Integer codes like the real tool's fixed-point output (mfcc Int32 Q16).
if a.frontend == "mfcc":
  np.save(a.output, np.round(codes * 65536).astype(np.int32))
else:
  np.save(a.output, np.round(codes * 25.6).astype(np.uint16))
