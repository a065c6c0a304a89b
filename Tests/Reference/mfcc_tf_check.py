#!/usr/bin/env python3
"""One-off check of mfcc_ref.py against real TensorFlow (not run by `make test`: TF is
too big for the test venv). Run it from a throwaway venv:

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu numpy
    /tmp/tfvenv/bin/python Tests/Reference/mfcc_tf_check.py clip1.raw clip2.raw ...

Each clip is raw int16 16 kHz mono. Prints, per clip, the max abs difference between
TF's MLPerf pipeline (float32 end to end, x / max(x)) and mfcc_ref.py --normalize, with
TF's own mel matrix and with mfcc_ref's (to separate the matrix from the arithmetic).
Recorded with tensorflow-cpu 2.21 on espeak-ng speech (-3 and -20 dBFS), pink noise and
a 1 kHz tone at 0.9 full scale: mel matrices differ by up to 4.8e-6 (TF's float32 log,
Eigen's, is not correctly rounded), windows by 6e-8; MFCC max |TF - ref| speech 2.0e-5
and 5.6e-6, noise 1.8e-6, tone 2.7e-3, the same with either matrix: the differences are
TF's float32 arithmetic (its FFT noise floor, ~1e-7 of the peak, dominates the far,
nearly empty bands of a pure tone), which mfcc_ref's float64 does not have.
"""
import os
import sys

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfcc_ref as R  # noqa: E402


def tf_mfcc(x16, matrix):
    x = tf.cast(x16, tf.float32)
    x = x / tf.reduce_max(x)
    stfts = tf.signal.stft(x, frame_length=480, frame_step=320, fft_length=None,
                           window_fn=tf.signal.hann_window)
    mel = tf.tensordot(tf.abs(stfts), matrix, 1)
    return tf.signal.mfccs_from_log_mel_spectrograms(tf.math.log(mel + 1e-6))[..., :10].numpy()


def main():
    m_tf = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 4000.0).numpy()
    m_ref = R.mel_matrix()
    print("mel matrix max |TF - ref|:", np.abs(m_tf.astype(np.float64) - m_ref).max())
    w_tf = tf.signal.hann_window(480, periodic=True).numpy()
    print("window max |TF - ref|:", np.abs(w_tf.astype(np.float64) - R.hann_window()).max())
    for path in sys.argv[1:]:
        x16 = np.fromfile(path, dtype="<i2")
        x = x16.astype(np.float64) / x16.max()
        ref = (np.log(R.magnitudes(x) @ R.mel_matrix().astype(np.float64) + 1e-6)
               @ R.dct_matrix().T)[:, :10]
        a = np.abs(tf_mfcc(x16, m_tf) - ref).max()
        b = np.abs(tf_mfcc(x16, m_ref) - ref).max()
        print(f"{path}: max |TF - ref| {a:.3g} (TF matrix), {b:.3g} (ref matrix); max |mfcc| {np.abs(ref).max():.3g}")


if __name__ == "__main__":
    main()
