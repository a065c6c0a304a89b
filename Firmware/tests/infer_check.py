#!/usr/bin/env python3
"""Runs models on the firmware (`infer` under QEMU) and on the live TFLM interpreter
with the same random inputs, and compares every output byte.

    infer_check.py RUN_QEMU ELF [--cases N] MODEL.tflite...

Cases run back to back in one interpreter on both sides (no reset in between), so
streaming models with state are compared over a sequence. Prints one PASS/FAIL line
per model with the firmware's instructions per inference; exits 1 on any FAIL.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema


def graph_io_counts(model_path):
    """Subgraph 0's input and output counts, read from the flatbuffer."""
    with open(model_path, "rb") as f:
        graph = schema.Model.GetRootAs(f.read(), 0).Subgraphs(0)
    return graph.InputsLength(), graph.OutputsLength()


def check(run_qemu, elf, model, cases, folder):
    name = os.path.basename(model)
    interpreter = runtime.Interpreter.from_file(model)
    input_count, outputs = graph_io_counts(model)
    inputs = [interpreter.get_input_details(i) for i in range(input_count)]
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # same inputs on every run
    case_inputs = []
    for _ in range(cases):
        case = []
        for d in inputs:
            info = np.iinfo(d["dtype"])
            case.append(rng.integers(info.min, info.max, size=d["shape"], endpoint=True, dtype=d["dtype"]))
        case_inputs.append(case)
    expected = bytearray()
    for case in case_inputs:
        for index, values in enumerate(case):
            interpreter.set_input(values, index)
        interpreter.invoke()
        for i in range(outputs):
            expected += np.ascontiguousarray(interpreter.get_output(i)).tobytes()

    in_path = os.path.join(folder, "inputs.bin")
    out_path = os.path.join(folder, "outputs.bin")
    with open(in_path, "wb") as f:
        for case in case_inputs:
            for values in case:
                f.write(np.ascontiguousarray(values).tobytes())
    run = subprocess.run([run_qemu, elf, "infer", model, in_path, out_path], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"FAIL  infer {name}: exit {run.returncode}\n{run.stdout}{run.stderr}")
        return False
    got = open(out_path, "rb").read()
    per = re.search(r"^inference per invocation: (\d+)", run.stdout, re.M)
    arena = re.search(r"arena (\d+) bytes", run.stdout)
    clean = re.search(r"^heap: .* 0 after start-up", run.stdout, re.M)
    if got != bytes(expected):
        diffs = [i for i in range(min(len(got), len(expected))) if got[i] != expected[i]]
        print(f"FAIL  infer {name}: {len(diffs)} of {len(expected)} output bytes differ from live TFLM"
              f" (got {len(got)} bytes); first at {diffs[:5]}")
        return False
    if not clean:
        print(f"FAIL  infer {name}: allocation after start-up\n{run.stdout}")
        return False
    print(f"PASS  infer {name}: {cases} cases, {len(expected)} output bytes identical to live TFLM;"
          f" {int(per.group(1)):,} instructions per inference, arena {arena.group(1)} B")
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run_qemu")
    parser.add_argument("elf")
    parser.add_argument("--cases", type=int, default=3)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for model in args.models:
            ok &= check(args.run_qemu, args.elf, model, args.cases, folder)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
