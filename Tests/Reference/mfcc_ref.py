#!/usr/bin/env python3
"""MLPerf Tiny DS-CNN MFCC features, written in numpy from TensorFlow's documented ops.

Reads raw little-endian int16 samples (16 kHz mono) on stdin and writes little-endian
float64 values on stdout, row-major, one row per frame (or per table row).

TensorFlow semantics reproduced here (tf.signal, float32 tables):
- hann_window(480, periodic=True): 0.5 - 0.5 cos(float32(2 pi) * n / 480), all float32.
- stft(frame_length=480, frame_step=320, fft_length=512, pad_end=False): frames of
  480 samples every 320, windowed, zero-padded to 512, rfft -> 257 bins; 1 + (L-480)//320
  frames (49 for a 1 s clip).
- abs() -> magnitude.
- linear_to_mel_weight_matrix(40, 257, 16000, 20, 4000), computed in float32 like TF
  (with a correctly rounded log, see hertz_to_mel):
  HTK mel 1127 ln(1 + f/700); linspace(start, stop, num) = start + i * step with
  step = (stop - start) / (num - 1) and the last point set to stop; DC row zeroed.
- log(mel + epsilon), epsilon 1e-6.
- mfccs_from_log_mel_spectrograms: unnormalized DCT-II (2 sum x_n cos(pi k (2n+1) / 2N))
  times rsqrt(2N), first 10 coefficients.
The tables are float32 (as TF builds them); the per-frame arithmetic is float64, the
ideal that TF's own float32 arithmetic approximates.

Options:
  --normalize        divide the clip by its positive peak max(x) first (MLPerf input).
  --epsilon E        the log offset (default 1e-6).
  --output WHAT      mfcc (default, frames x 10), logmel (frames x 40),
                     magnitude (frames x 257), melmatrix (257 x 40), window (480).
"""
import argparse
import sys

import numpy as np

SAMPLE_RATE = 16000
FRAME_LENGTH = 480
FRAME_STEP = 320
FFT_LENGTH = 512
MEL_BINS = 40
LOWER_HZ = 20.0
UPPER_HZ = 4000.0
MFCC_COUNT = 10

f32 = np.float32


def tf_linspace(start, stop, num):
    """tf.linspace in float32: start + i * step, last point exactly stop."""
    start = f32(start)
    stop = f32(stop)
    step = (stop - start) / f32(num - 1)
    out = start + np.arange(num, dtype=f32) * step
    out[-1] = stop
    return out.astype(f32)


def hertz_to_mel(hz):
    """HTK mel in float32. The log is correctly rounded to float32 (computed in float64),
    as glibc's logf is; TensorFlow's own float32 log (Eigen) is not correctly rounded:
    checked against tensorflow-cpu 2.21, 29 of the 257 bin mels and mel(20 Hz) differ by
    one float32 ulp, so TF's weights differ from these by up to 4.8e-6 (below TF's own
    float32 arithmetic noise in the features; see mfcc_tf_check.py)."""
    hz = np.asarray(hz, dtype=f32)
    inner = f32(1.0) + hz / f32(700.0)
    return f32(1127.0) * np.log(inner.astype(np.float64)).astype(f32)


def hann_window():
    """float32 like TF, with the cosine correctly rounded (float64 cos of the float32
    argument); TF's Eigen cosine differs from it by at most 1 float32 ulp (checked)."""
    count = np.arange(FRAME_LENGTH, dtype=f32)
    cos_arg = f32(2 * np.pi) * count / f32(FRAME_LENGTH)
    return f32(0.5) - f32(0.5) * np.cos(cos_arg.astype(np.float64)).astype(f32)


def mel_matrix():
    bins = FFT_LENGTH // 2 + 1
    linear = tf_linspace(0.0, SAMPLE_RATE / 2.0, bins)[1:]
    spec_mel = hertz_to_mel(linear)[:, None]
    edges = tf_linspace(hertz_to_mel(LOWER_HZ), hertz_to_mel(UPPER_HZ), MEL_BINS + 2)
    lower = edges[:-2][None, :]
    center = edges[1:-1][None, :]
    upper = edges[2:][None, :]
    lower_slopes = (spec_mel - lower) / (center - lower)
    upper_slopes = (upper - spec_mel) / (upper - center)
    weights = np.maximum(f32(0.0), np.minimum(lower_slopes, upper_slopes)).astype(f32)
    return np.vstack([np.zeros((1, MEL_BINS), dtype=f32), weights])


def magnitudes(x):
    count = 1 + (len(x) - FRAME_LENGTH) // FRAME_STEP if len(x) >= FRAME_LENGTH else 0
    window = hann_window().astype(np.float64)
    out = np.zeros((count, FFT_LENGTH // 2 + 1))
    for t in range(count):
        frame = x[t * FRAME_STEP : t * FRAME_STEP + FRAME_LENGTH] * window
        out[t] = np.abs(np.fft.rfft(frame, n=FFT_LENGTH))
    return out


def dct_matrix():
    n = np.arange(MEL_BINS)
    k = np.arange(MEL_BINS)[:, None]
    return 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2.0 * MEL_BINS)) / np.sqrt(2.0 * MEL_BINS)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--normalize", action="store_true")
    parser.add_argument("--epsilon", type=float, default=1e-6)
    parser.add_argument("--output", default="mfcc",
                        choices=["mfcc", "logmel", "magnitude", "melmatrix", "window"])
    args = parser.parse_args()

    if args.output == "window":
        result = hann_window().astype(np.float64)
    elif args.output == "melmatrix":
        result = mel_matrix().astype(np.float64)
    else:
        x = np.frombuffer(sys.stdin.buffer.read(), dtype="<i2").astype(np.float64)
        if args.normalize:
            x = x / x.max()
        mags = magnitudes(x)
        if args.output == "magnitude":
            result = mags
        else:
            logmel = np.log(mags @ mel_matrix().astype(np.float64) + args.epsilon)
            if args.output == "logmel":
                result = logmel
            else:
                result = (logmel @ dct_matrix().T)[:, :MFCC_COUNT]
    sys.stdout.buffer.write(np.ascontiguousarray(result, dtype="<f8").tobytes())


if __name__ == "__main__":
    main()
