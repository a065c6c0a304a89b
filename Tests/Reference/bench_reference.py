"""Reference timings for `kws bench`: the same items, timed with the references.

usage: bench_reference.py [--model FILE]... [--runs N] [--warmup N] [--json]

Times, single-threaded, median and minimum over --runs after --warmup:
  - the C microfrontend (pymicro-features), fed 160-sample chunks as ESPHome does,
    in microseconds of compute per second of audio (same test signal as kws bench);
  - one inference per model with LiteRT 2.3: XNNPACK delegate (1 thread), builtin
    optimized kernels (no default delegates), builtin reference kernels;
  - one inference with the TFLite Micro Python interpreter (the bit-exactness
    reference of our kernels).
Inputs are the same fixed pseudo-random bytes `kws bench` uses. Not a test: timings
depend on the machine and its load. Scripts/bench.sh runs this next to kws bench.
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np

DEFAULT_MODEL = "Tests/InferenceTests/Models/dscnn_random.tflite"


def measure(body, runs, warmup):
    """Median and minimum of `runs` timed calls (microseconds)."""
    for _ in range(warmup):
        body()
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        body()
        times.append((time.perf_counter_ns() - start) / 1000.0)
    return statistics.median(times), min(times)


def test_signal(samples):
    """The signal of `kws bench` (BenchCommand.testSignal): sweep plus LCG noise."""
    out = np.empty(samples, dtype=np.int16)
    state = 12345
    phase = 0.0
    for i in range(samples):
        t = i / 16000
        frequency = 200 + 3800 * (t - math.floor(t))
        phase += 2 * math.pi * frequency / 16000
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        signed = state - (1 << 32) if state >= (1 << 31) else state
        noise = (signed >> 16) / 32768
        out[i] = int(6000 * math.sin(phase) + 1500 * noise)
    return out


INPUT_SEED = 0x6B777362656E6368


def input_bytes(count, state):
    """The pseudo-random input bytes of `kws bench` (64-bit LCG, top byte), continuing
    from `state`: returns (bytes, new state)."""
    out = bytearray(count)
    for b in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        out[b] = state >> 56
    return bytes(out), state


def bench_microfrontend(seconds, runs, warmup):
    from pymicro_features import MicroFrontend

    audio = test_signal(16000 * seconds).tobytes()
    chunk = 160 * 2

    def body():
        frontend = MicroFrontend()
        for start in range(0, len(audio) - chunk + 1, chunk):
            frontend.process_samples(audio[start : start + chunk])

    median, low = measure(body, runs, warmup)
    return {"name": "microfrontend (pymicro-features C, 10 ms chunks)",
            "key": "microfrontend",
            "us_per_audio_second_median": median / seconds,
            "us_per_audio_second_min": low / seconds}


def litert_timings(path, runs, warmup):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    results = []
    for key, name, resolver in [
        ("litert_xnnpack", "LiteRT 2.3 XNNPACK (1 thread)", OpResolverType.AUTO),
        ("litert_builtin", "LiteRT 2.3 builtin optimized kernels",
         OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
        ("litert_reference", "LiteRT 2.3 builtin reference kernels", OpResolverType.BUILTIN_REF),
    ]:
        interpreter = Interpreter(model_path=path, num_threads=1,
                                  experimental_op_resolver_type=resolver)
        interpreter.allocate_tensors()
        state = INPUT_SEED
        for detail in interpreter.get_input_details():
            size = int(np.prod(detail["shape"])) * np.dtype(detail["dtype"]).itemsize
            raw, state = input_bytes(size, state)
            data = np.frombuffer(raw, dtype=detail["dtype"]).reshape(detail["shape"])
            interpreter.set_tensor(detail["index"], data)
        median, low = measure(interpreter.invoke, runs, warmup)
        results.append({"key": key, "name": name, "us_per_inference_median": median,
                        "us_per_inference_min": low})
    return results


def tflm_timing(path, runs, warmup):
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_file(path)
    # Input 0 only: probing a missing index prints errors from C++ (the test models
    # and microWakeWord models have one input).
    detail = interpreter.get_input_details(0)
    size = int(np.prod(detail["shape"])) * np.dtype(detail["dtype"]).itemsize
    raw, _ = input_bytes(size, INPUT_SEED)
    interpreter.set_input(np.frombuffer(raw, dtype=detail["dtype"]).reshape(detail["shape"]), 0)
    median, low = measure(interpreter.invoke, runs, warmup)
    return {"key": "tflm", "name": "TFLite Micro Python interpreter (reference kernels)",
            "us_per_inference_median": median, "us_per_inference_min": low}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    models = args.model or [DEFAULT_MODEL]

    report = {"runs": args.runs, "warmup": args.warmup,
              "load_average": open("/proc/loadavg").read().split()[0],
              "frontends": [bench_microfrontend(args.seconds, max(args.runs // 10, 5), 2)],
              "models": []}
    for path in models:
        entries = litert_timings(path, args.runs, args.warmup)
        entries.append(tflm_timing(path, max(args.runs // 3, 10), min(args.warmup, 5)))
        report["models"].append({"name": path, "references": entries})

    if args.json:
        print(json.dumps(report))
        return
    print(f"references: {args.runs} runs after {args.warmup} warm-up, single thread, "
          f"load average {report['load_average']}")
    for f in report["frontends"]:
        print(f"  {f['name']}: {f['us_per_audio_second_median']:.1f} us per second of audio "
              f"(min {f['us_per_audio_second_min']:.1f})")
    for m in report["models"]:
        print(f"  {m['name']}:")
        for e in m["references"]:
            print(f"    {e['name']}: {e['us_per_inference_median']:.1f} us per inference "
                  f"(min {e['us_per_inference_min']:.1f})")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
