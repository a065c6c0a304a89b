#!/usr/bin/env python3
"""Feature quantization as the float references compute it, for FeatureQuantizer's tests.

Writes little-endian int64 values, unclamped, for codes first ..< first + count:
    round_half_to_even(code * unit / scale + zero_point)
computed the way pymicro-wakeword does it (microwakeword.py, process_streaming_prob):
features as a float64 numpy array, `np.round(features / input_scale + input_zero_point)`,
with input_scale the model's float32 scale read through ctypes (a Python float).

Options:
  --model NAME    take scale and zero point from a pymicro-wakeword builtin model
                  (okay_nabu, alexa, hey_jarvis, hey_mycroft), loaded by pymicro-wakeword.
  --scale S       else: a float32 scale (given as text, rounded to float32 like ctypes.c_float).
  --zero-point Z  the zero point (default -128).
  --unit U        real value of one code (default 0.0390625, the microfrontend's 1/25.6).
  --first F --count N   the codes (default 0 and 65536).
The scale and zero point used are printed on stderr.
"""
import argparse
import ctypes
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--scale")
    parser.add_argument("--zero-point", type=int, default=-128)
    parser.add_argument("--unit", type=float, default=0.0390625)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=65536)
    args = parser.parse_args()

    if args.model:
        from pymicro_wakeword import MicroWakeWord, Model

        model = MicroWakeWord.from_builtin(Model(args.model))
        scale, zero_point = model.input_scale, model.input_zero_point
    else:
        scale = ctypes.c_float(float(args.scale)).value
        zero_point = args.zero_point
    print(f"scale {scale!r} zero_point {zero_point}", file=sys.stderr)

    features = np.arange(args.first, args.first + args.count, dtype=np.float64) * args.unit
    q = np.round(features / scale + zero_point)
    sys.stdout.buffer.write(q.astype("<i8").tobytes())


if __name__ == "__main__":
    main()
