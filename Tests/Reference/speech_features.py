"""Int8 microWakeWord features of a synthetic utterance (test input generator).

usage: speech_features.py TEXT [--voice en-us] [--silence-ms 500]

Says TEXT with espeak-ng, resamples to 16 kHz mono int16 with sox, pads silence
before and after, runs the TFLM microfrontend (pymicro-features, 10 ms steps, fed
160-sample chunks) and quantizes each 40-channel frame to the models' int8 input
(scale 26/255, zero point -128) with the exact integer form
q = clamp((2550 * v + 3328) // 6656 - 128, -128, 127), v = feature * 25.6 (an
integer). stdout: the frames back to back, 40 bytes each.
"""
import argparse
import subprocess
import sys
import tempfile

import numpy as np
from pymicro_features import MicroFrontend


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("text")
    parser.add_argument("--voice", default="en-us")
    parser.add_argument("--silence-ms", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wav = f"{tmp}/speech.wav"
        subprocess.run(["espeak-ng", "-v", args.voice, "-w", wav, args.text], check=True)
        raw = subprocess.run(
            ["sox", wav, "-t", "raw", "-r", "16000", "-c", "1", "-e", "signed-integer", "-b", "16", "-"],
            check=True, capture_output=True).stdout
    pad = bytes(2 * 16 * args.silence_ms)
    audio = pad + raw + pad
    frontend = MicroFrontend()
    out = bytearray()
    for start in range(0, len(audio) - 319, 320):
        result = frontend.process_samples(audio[start:start + 320])
        if result.features:
            v = np.rint(np.array(result.features, dtype=np.float64) * 25.6).astype(np.int64)
            q = np.clip((2550 * v + 3328) // 6656 - 128, -128, 127).astype(np.int8)
            out += q.tobytes()
    sys.stdout.buffer.write(bytes(out))


if __name__ == "__main__":
    main()
