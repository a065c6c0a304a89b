"""Cuts a model after its first N operators of subgraph 0 (test fixture generator).

usage: submodel.py MODEL OUT.tflite --ops N --outputs T1,T2,...

Keeps subgraph 0's operators [0, N) and makes tensors T1, T2... its outputs; other
subgraphs (the CALL_ONCE init graph) stay as they are. This isolates the streaming
front of a microWakeWord model (state reads, concatenations, slices, assigns) so
those kernels can be checked against TFLM on their own.
"""
import argparse

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--ops", type=int, required=True)
    parser.add_argument("--outputs", required=True)
    args = parser.parse_args()
    with open(args.model, "rb") as f:
        model = schema.ModelT.InitFromPackedBuf(f.read(), 0)
    graph = model.subgraphs[0]
    graph.operators = graph.operators[: args.ops]
    graph.outputs = np.array([int(t) for t in args.outputs.split(",")], dtype=np.int32)
    model.signatureDefs = None
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    with open(args.out, "wb") as f:
        f.write(builder.Output())


if __name__ == "__main__":
    main()
