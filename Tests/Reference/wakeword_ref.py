#!/usr/bin/env python3
"""Live reference for `kws detect` on microWakeWord models: pymicro-wakeword.

Usage: wakeword_ref.py MANIFEST.json CLIP.wav [--refractory-ms 1000]

Streams the clip (16 kHz mono 16-bit WAV) through pymicro-wakeword exactly as its
own command-line tool does (MicroWakeWordFeatures in 10 ms chunks -> MicroWakeWord,
which runs the model with the TensorFlow Lite C library), and records every model
invocation's output as the uint8 code (probability * 256). Detections follow the
rules kws documents, written here independently in floats: the mean of the last
`sliding_window_size` probabilities (statistics.mean, as pymicro-wakeword computes
it) strictly above `probability_cutoff`; after a detection the window is cleared and
the keyword cannot fire for the refractory period (rounded up to whole invocations).

With --tflm the model runs in the TFLite Micro Python interpreter instead, on the very
input tensors pymicro-wakeword builds (its features, its quantization): TFLM is what
kws's kernels reproduce bit for bit, while the TFLite C library's optimized kernels
round differently now and then (a few codes on a few invocations).

Prints JSON: {"stride": S, "outputs": [codes...], "detections": [{"invocation": i,
"end": seconds, "score": mean}]}.
"""

import argparse
import json
import math
import statistics
import wave

from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures

STEP_SAMPLES = 160
WINDOW_SAMPLES = 480


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("clip")
    parser.add_argument("--refractory-ms", type=int, default=1000)
    parser.add_argument("--tflm", action="store_true")
    args = parser.parse_args()

    mww = MicroWakeWord.from_config(args.manifest)
    if args.tflm:
        use_tflm(mww)
    features = MicroWakeWordFeatures()
    with wave.open(args.clip, "rb") as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2 and w.getnchannels() == 1
        audio = w.readframes(w.getnframes())

    stride = mww.stride
    window = mww.sliding_window_size
    refractory = math.ceil(args.refractory_ms / (stride * 10))
    outputs, detections = [], []
    recent, refractory_left, frame = [], 0, 0
    for f in features.process_streaming(audio):
        mww.process_streaming_prob(f)
        frame += 1
        if mww._features:  # not invoked on this frame (it clears after invoking)
            continue
        probability = mww._probabilities[-1]
        outputs.append(round(probability * 256))
        recent.append(probability)
        if len(recent) > window:
            recent.pop(0)
        if refractory_left > 0:
            refractory_left -= 1
        if len(recent) == window:
            mean = statistics.mean(recent)
            if mean > mww.probability_cutoff and refractory_left == 0:
                end = (frame - 1) * STEP_SAMPLES + WINDOW_SAMPLES
                detections.append({"invocation": len(outputs) - 1, "end": end / 16000, "score": mean})
                recent = []
                refractory_left = refractory
    print(json.dumps({"stride": stride, "outputs": outputs, "detections": detections}))


def use_tflm(mww):
    """Swaps the TFLite C library invocation of `mww` for the TFLM interpreter."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime

    tflm = runtime.Interpreter.from_file(mww.tflite_model)

    def invoke(features):
        mww._features.append(features)
        if len(mww._features) < mww.stride:
            return 0.0
        # The same expression pymicro-wakeword uses to build the input tensor.
        quantized = np.round(
            np.concatenate(mww._features, axis=1) / mww.input_scale + mww.input_zero_point
        ).astype(mww.input_dtype)
        mww._features.clear()
        tflm.set_input(quantized, 0)
        tflm.invoke()
        code = tflm.get_output(0).reshape(-1)[0]
        probability = (np.float32(code) - mww.output_zero_point) * mww.output_scale
        mww._probabilities.append(float(probability))
        return 0.0

    mww.process_streaming_prob = invoke


if __name__ == "__main__":
    main()
