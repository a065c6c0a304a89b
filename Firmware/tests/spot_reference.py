#!/usr/bin/env python3
"""Live reference for the firmware's `spot`: the same stream through the TFLM
microfrontend (pymicro-features) and the TFLM interpreter (tflite-micro).

    spot_reference.py MODEL.tflite CLIP.raw > scores.bin

Features in 160-sample chunks (a final partial chunk dropped), each value v
quantized exactly as microWakeWord means it (round(v / 25.6 / (26/255)) - 128, in
the integer form of REFERENCE.md, clamped), `stride` frames per invocation, one
uint8 score per invocation on stdout.
"""
import sys

import numpy as np
from pymicro_features import MicroFrontend
from tflite_micro.python.tflite_micro import runtime


def main():
    model_path, clip_path = sys.argv[1], sys.argv[2]
    audio = open(clip_path, "rb").read()
    interpreter = runtime.Interpreter.from_file(model_path)
    details = interpreter.get_input_details(0)
    stride = int(details["shape"][1])
    frontend = MicroFrontend()
    rows, scores = [], bytearray()
    for start in range(0, len(audio) - 320 + 1, 320):
        result = frontend.process_samples(audio[start : start + 320])
        if not result.features:
            continue
        values = [round(f * 128 / 5) for f in result.features]  # v exactly (f = v * 5 / 128)
        rows.append([min(127, max(-128, (2550 * v + 3328) // 6656 - 128)) for v in values])
        if len(rows) == stride:
            interpreter.set_input(np.array([rows], dtype=np.int8), 0)
            interpreter.invoke()
            scores.append(int(interpreter.get_output(0).reshape(-1)[0]))
            rows = []
    sys.stdout.buffer.write(bytes(scores))


if __name__ == "__main__":
    main()
