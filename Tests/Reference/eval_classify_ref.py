#!/usr/bin/env python3
"""Independent oracle for `kws eval` classification: TFLM on given int8 feature files.

Usage: eval_classify_ref.py MODEL.tflite LABEL_COUNT < clips.json

stdin: {"clips": [{"npy": "path/features.npy", "truth": 2}, ...]}: each .npy holds one
1 s clip's int8 features ([frames, features], as `kws features --quantize ... --format
npy` writes them). Each clip is one TFLM invocation on a fresh interpreter state; the
prediction is numpy's argmax (first index of the highest output code).

Prints JSON: {"confusion": [[...]] (rows = truth, columns = prediction),
"outputs": [[codes...] per clip], "correct": n, "total": n}.
"""
import json
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def main():
    model, count = sys.argv[1], int(sys.argv[2])
    request = json.load(sys.stdin)
    interpreter = runtime.Interpreter.from_file(model)
    shape = interpreter.get_input_details(0)["shape"]
    confusion = [[0] * count for _ in range(count)]
    outputs = []
    for clip in request["clips"]:
        features = np.load(clip["npy"]).astype(np.int8)
        frames = int(shape[1])
        if features.ndim != 2 or features.shape[0] < frames:
            sys.exit(f"{clip['npy']}: features {features.shape}, the model wants {frames} frames")
        features = features[:frames].reshape(shape)
        interpreter.reset()
        interpreter.set_input(features, 0)
        interpreter.invoke()
        codes = interpreter.get_output(0).reshape(-1)
        outputs.append([int(c) for c in codes])
        confusion[clip["truth"]][int(np.argmax(codes))] += 1
    correct = sum(confusion[i][i] for i in range(count))
    total = sum(map(sum, confusion))
    print(json.dumps({"confusion": confusion, "outputs": outputs, "correct": correct, "total": total}))


if __name__ == "__main__":
    main()
