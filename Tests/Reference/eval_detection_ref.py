#!/usr/bin/env python3
"""Live reference for `kws eval` detection mode on microWakeWord models.

Usage: eval_detection_ref.py MANIFEST.json --positives P1.wav ... --negatives N1.wav ...
       [--target-fa-per-hour 0.5] [--refractory-ms 1000]

Each file (16 kHz mono 16-bit WAV) streams through pymicro-wakeword's own features and
input quantization with the model run by TFLite Micro (wakeword_ref.py's `use_tflm`), from a
fresh state. The probabilities are recorded once; detections are then counted for every
threshold of the curve (0.00, 0.01, ..., 1.00 and the manifest's cutoff) with the rules
written independently here in floats: statistics.mean of the last sliding_window_size
probabilities strictly above the threshold, window cleared after a detection, no
detection within the refractory period (rounded up to whole invocations).

Prints JSON with the fields of `kws eval --json` in detection mode: frr, fa_per_hour,
threshold, positives, positives_detected, negatives, negative_hours, false_accepts,
curve [{threshold, frr, fa_per_hour}], target {fa_per_hour, threshold, frr}.
"""
import argparse
import json
import math
import os
import statistics
import sys
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures  # noqa: E402
from wakeword_ref import use_tflm  # noqa: E402


def record(manifest, path):
    """(probabilities per invocation, samples) of one file, from a fresh model state."""
    mww = MicroWakeWord.from_config(manifest)
    use_tflm(mww)
    features = MicroWakeWordFeatures()
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2 and w.getnchannels() == 1
        samples = w.getnframes()
        audio = w.readframes(samples)
    probabilities = []
    for f in features.process_streaming(audio):
        mww.process_streaming_prob(f)
        if not mww._features:  # invoked on this frame (it clears its features then)
            # (mww._probabilities keeps only the last few; record every one.)
            probabilities.append(mww._probabilities[-1])
    return probabilities, samples, mww


def count(probabilities, threshold, window, refractory):
    detections, recent, left = 0, [], 0
    for p in probabilities:
        recent.append(p)
        if len(recent) > window:
            recent.pop(0)
        if left > 0:
            left -= 1
        if len(recent) == window and statistics.mean(recent) > threshold and left == 0:
            detections += 1
            recent = []
            left = refractory
    return detections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("--positives", nargs="*", default=[])
    parser.add_argument("--negatives", nargs="*", default=[])
    parser.add_argument("--target-fa-per-hour", type=float, default=0.5)
    parser.add_argument("--refractory-ms", type=int, default=1000)
    args = parser.parse_args()

    positives = [record(args.manifest, p) for p in args.positives]
    negatives = [record(args.manifest, n) for n in args.negatives]
    mww = (positives + negatives)[0][2]
    window = mww.sliding_window_size
    own = mww.probability_cutoff
    refractory = math.ceil(args.refractory_ms / (mww.stride * 10))
    hours = sum(n[1] for n in negatives) / 16000 / 3600

    def rates(threshold):
        detected = sum(1 for p in positives if count(p[0], threshold, window, refractory) > 0)
        accepts = sum(count(n[0], threshold, window, refractory) for n in negatives)
        frr = (len(positives) - detected) / len(positives) if positives else 0.0
        fa = accepts / hours if hours > 0 else 0.0
        return detected, accepts, frr, fa

    detected, accepts, frr, fa = rates(own)
    thresholds = sorted(set([i / 100 for i in range(101)] + [own]))
    curve = []
    for t in thresholds:
        _, _, f, a = rates(t)
        curve.append({"threshold": t, "frr": f, "fa_per_hour": a})
    meeting = next((c for c in curve if c["fa_per_hour"] <= args.target_fa_per_hour), None)
    print(json.dumps({
        "frr": frr, "fa_per_hour": fa, "threshold": own,
        "positives": len(positives), "positives_detected": detected,
        "negatives": len(negatives), "negative_hours": hours, "false_accepts": accepts,
        "curve": curve,
        "target": {"fa_per_hour": args.target_fa_per_hour,
                   "threshold": meeting["threshold"] if meeting else None,
                   "frr": meeting["frr"] if meeting else None},
    }))


if __name__ == "__main__":
    main()
