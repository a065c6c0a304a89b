"""Live oracle: run a .tflite model with the TFLite Micro Python interpreter.

usage: tflm_run.py MODEL [--allocations] [--tensor SUBGRAPH:INDEX ...]

stdin:  invocations back to back; one invocation is the raw bytes of every input
        tensor of subgraph 0, in order (a streaming model is simply fed its
        invocations in order; state carries over as on the device).
stdout: for each invocation, the raw bytes of every output tensor in order,
        followed by the bytes of each --tensor (intermediate tensors, read with the
        preserve-all-tensors interpreter configuration).
--allocations: print TFLM's arena report (print_allocations) and exit.
"""
import argparse
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--allocations", action="store_true")
    parser.add_argument("--tensor", action="append", default=[])
    args = parser.parse_args()

    config = runtime.InterpreterConfig.kAllocationRecording
    if args.tensor:
        config = runtime.InterpreterConfig.kPreserveAllTensors
    interpreter = runtime.Interpreter.from_file(args.model, intrepreter_config=config)

    if args.allocations:
        # TFLM prints from C++; flush Python's buffer first so lines stay in order.
        sys.stdout.flush()
        interpreter.print_allocations()
        return

    # Count subgraph 0's inputs and outputs from the model file itself (probing the
    # interpreter for a missing index prints errors from C++).
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    with open(args.model, "rb") as f:
        graph = schema.Model.GetRootAs(f.read(), 0).Subgraphs(0)
    inputs = [interpreter.get_input_details(i) for i in range(graph.InputsLength())]
    outputs = [interpreter.get_output_details(i) for i in range(graph.OutputsLength())]

    sizes = [int(np.prod(d["shape"])) * np.dtype(d["dtype"]).itemsize for d in inputs]
    step = sum(sizes)
    data = sys.stdin.buffer.read()
    if step == 0 or len(data) % step != 0:
        sys.exit(f"stdin has {len(data)} bytes, not a multiple of one invocation ({step} bytes)")
    tensors = [tuple(int(x) for x in t.split(":")) for t in args.tensor]

    out = sys.stdout.buffer
    offset = 0
    while offset < len(data):
        for i, d in enumerate(inputs):
            raw = data[offset:offset + sizes[i]]
            offset += sizes[i]
            interpreter.set_input(np.frombuffer(raw, dtype=d["dtype"]).reshape(d["shape"]), i)
        interpreter.invoke()
        for i in range(len(outputs)):
            out.write(np.ascontiguousarray(interpreter.get_output(i)).tobytes())
        for subgraph, tensor in tensors:
            out.write(np.ascontiguousarray(interpreter.GetTensor(tensor, subgraph)["tensor_data"]).tobytes())
    out.flush()


if __name__ == "__main__":
    main()
