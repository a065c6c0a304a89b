#!/usr/bin/env python3
"""Real-speech inputs for the firmware's cost figures (Firmware/perf.sh).

    real_inputs.py MODEL.tflite DATA_DIR OUT_INPUTS.bin OUT_CLIP.raw [--clips N]

Takes the first clip (sorted by name) of each of N keyword folders of a Speech
Commands tree (DATA_DIR/<word>/*.flac), decodes it to 1 s of 16 kHz s16le with sox,
and writes:
- OUT_INPUTS.bin: per clip, the model's int8 input: the MLPerf MFCC of the
  peak-normalized clip (Tests/Reference/mfcc_ref.py --normalize, 49 x 10),
  quantized with the model's input scale and zero point (round half away, clamped);
- OUT_CLIP.raw: the clips back to back (N seconds of real speech) for the front ends.
The figures only need realistic values (the kernels' instruction counts barely
depend on the data); exactness of these features is tested elsewhere.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime

HERE = os.path.dirname(os.path.abspath(__file__))
MFCC = os.path.join(HERE, "..", "..", "Tests", "Reference", "mfcc_ref.py")
WORDS = ["yes", "no", "up", "down", "left", "right", "stop", "go"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("inputs")
    parser.add_argument("clip")
    parser.add_argument("--clips", type=int, default=8)
    args = parser.parse_args()
    details = runtime.Interpreter.from_file(args.model).get_input_details(0)
    scale = float(details["quantization_parameters"]["scales"][0])
    zero = int(details["quantization_parameters"]["zero_points"][0])
    count = int(np.prod(details["shape"]))
    inputs, audio = bytearray(), bytearray()
    for word in WORDS[: args.clips]:
        folder = os.path.join(args.data, word)
        if not os.path.isdir(folder):
            sys.exit(f"real_inputs.py: no folder {folder} (Speech Commands layout: DATA/<word>/*.flac)")
        name = sorted(f for f in os.listdir(folder) if f.endswith((".flac", ".wav")))[0]
        raw = subprocess.run(
            ["sox", os.path.join(folder, name), "-t", "raw", "-r", "16000", "-c", "1", "-b", "16",
             "-e", "signed-integer", "-", "pad", "0", "1", "trim", "0", "1"],
            check=True, capture_output=True).stdout
        mfcc = np.frombuffer(
            subprocess.run([sys.executable, MFCC, "--normalize"], input=raw, check=True,
                           capture_output=True).stdout, dtype="<f8")
        if mfcc.size != count:
            sys.exit(f"real_inputs.py: {word}/{name}: {mfcc.size} MFCC values, the model takes {count}")
        q = np.clip(np.sign(mfcc) * np.floor(np.abs(mfcc / scale) + 0.5) + zero, -128, 127)
        inputs += q.astype(np.int8).tobytes()
        audio += raw
    open(args.inputs, "wb").write(inputs)
    open(args.clip, "wb").write(audio)


if __name__ == "__main__":
    main()
