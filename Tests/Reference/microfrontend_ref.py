#!/usr/bin/env python3
"""The TFLM microfrontend (C, through pymicro-features) on a clip, for the float
microfrontend's tests.

Reads raw little-endian int16 samples (16 kHz mono) on stdin, feeds them in 160-sample
(10 ms) chunks as pymicro-wakeword does (a final partial chunk is dropped), and writes
the features as little-endian float64 in the microfrontend's uint16 units (pymicro-features
returns v * 0.0390625, exactly; this multiplies back by 25.6), 40 per frame.
"""
import sys

import numpy as np
from pymicro_features import MicroFrontend

CHUNK = 160  # samples per call, 10 ms


def main():
    audio = sys.stdin.buffer.read()
    frontend = MicroFrontend()
    out = []
    step = CHUNK * 2
    for start in range(0, len(audio) - step + 1, step):
        result = frontend.process_samples(audio[start:start + step])
        if result.features:
            out.append(np.array(result.features, dtype=np.float64) * 25.6)
    data = np.concatenate(out) if out else np.zeros(0)
    sys.stdout.buffer.write(np.rint(data).astype("<f8").tobytes())


if __name__ == "__main__":
    main()
