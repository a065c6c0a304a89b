#!/usr/bin/env python3
"""Benchmark twin of `kws eval` (classification) in Python with LiteRT: not a test.

Usage: eval_litert_bench.py MODEL.tflite DIR LABEL,LABEL,...  [--threads 1]

Walks DIR (a folder per label, 16 kHz mono 16-bit WAV clips; words not among the labels
count as unknown), and for each clip does what `kws eval` does: pad/trim to 1 s at the
end, divide by the positive peak (MLPerf), MFCC in numpy (mfcc_ref.py's TensorFlow-exact
tables, frames batched through one rfft), quantize to the model's int8 input, one LiteRT
invocation, argmax. Prints accuracy and clips per second (reading included, Python start
and model load excluded). Needs `ai-edge-litert` and numpy (a venv of its own is fine:
it is not part of the test references).
"""
import argparse
import os
import sys
import time
import wave

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfcc_ref  # noqa: E402
from ai_edge_litert.interpreter import Interpreter  # noqa: E402

CLIP = 16000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("directory")
    parser.add_argument("labels")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    labels = args.labels.split(",")
    unknown = next((i for i, l in enumerate(labels) if l in ("unknown", "_unknown_")), None)

    clips = []
    for folder in sorted(os.listdir(args.directory)):
        path = os.path.join(args.directory, folder)
        if not os.path.isdir(path) or folder.startswith("_background"):
            continue
        truth = labels.index(folder) if folder in labels else unknown
        if truth is None:
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith(".wav"):
                clips.append((os.path.join(path, name), truth))

    interpreter = Interpreter(model_path=args.model, num_threads=args.threads)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    scale, zero_point = inp["quantization"]
    window = mfcc_ref.hann_window().astype(np.float64)
    mel = mfcc_ref.mel_matrix().astype(np.float64)
    dct = mfcc_ref.dct_matrix().T[:, : mfcc_ref.MFCC_COUNT]
    frames = 1 + (CLIP - mfcc_ref.FRAME_LENGTH) // mfcc_ref.FRAME_STEP
    index = np.arange(mfcc_ref.FRAME_LENGTH)[None, :] + mfcc_ref.FRAME_STEP * np.arange(frames)[:, None]

    correct = 0
    start = time.perf_counter()
    for path, truth in clips:
        with wave.open(path, "rb") as w:
            x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        x = np.pad(x[:CLIP], (0, max(0, CLIP - len(x))))
        peak = x.max()
        if peak > 0:
            x = x / peak
        mags = np.abs(np.fft.rfft(x[index] * window, n=mfcc_ref.FFT_LENGTH, axis=1))
        features = np.log(mags @ mel + 1e-6) @ dct
        q = np.clip(np.round(features / scale + zero_point), -128, 127).astype(np.int8)
        interpreter.set_tensor(inp["index"], q.reshape(inp["shape"]))
        interpreter.invoke()
        correct += int(np.argmax(interpreter.get_tensor(out["index"]).reshape(-1)) == truth)
    seconds = time.perf_counter() - start
    print(f"{len(clips)} clips, accuracy {correct / max(1, len(clips)):.4f}, "
          f"{seconds:.2f} s, {len(clips) / seconds:.1f} clips/s (LiteRT, {args.threads} thread)")


if __name__ == "__main__":
    main()
