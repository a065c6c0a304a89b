"""Writes a one-operator .tflite model from a JSON spec (test fixture generator).

usage: make_op_model.py OUT.tflite < spec.json

spec: {"op": "STRIDED_SLICE",                   # BuiltinOperator name
       "tensors": [{"shape": [1,5,40], "type": "int8", "scale": 0.5, "zero_point": -3,
                    "data": [...]}, ...],     # data = constant values (optional)
       "inputs": [0, 1, 2, 3], "outputs": [4],  # operator operands (tensor indices)
       "graph_inputs": [0], "graph_outputs": [4],
       "options": {"beginMask": 1, ...}}        # fields of the op's *OptionsT class
Used to check single structural kernels against the live TFLM interpreter.
"""
import json
import sys

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

TYPES = {
    "float32": (schema.TensorType.FLOAT32, np.float32),
    "int32": (schema.TensorType.INT32, np.int32),
    "uint8": (schema.TensorType.UINT8, np.uint8),
    "int16": (schema.TensorType.INT16, np.int16),
    "int8": (schema.TensorType.INT8, np.int8),
    "int64": (schema.TensorType.INT64, np.int64),
    "bool": (schema.TensorType.BOOL, np.bool_),
}

OPTIONS = {
    "CONCATENATION": ("ConcatenationOptions", schema.ConcatenationOptionsT),
    "STRIDED_SLICE": ("StridedSliceOptions", schema.StridedSliceOptionsT),
    "SPLIT_V": ("SplitVOptions", schema.SplitVOptionsT),
    "PAD": ("PadOptions", schema.PadOptionsT),
    "PADV2": ("PadV2Options", schema.PadV2OptionsT),
    "RESHAPE": ("ReshapeOptions", schema.ReshapeOptionsT),
    "QUANTIZE": ("QuantizeOptions", schema.QuantizeOptionsT),
    "DEQUANTIZE": ("DequantizeOptions", schema.DequantizeOptionsT),
}


def main():
    spec = json.load(sys.stdin)
    model = schema.ModelT()
    model.version = 3
    code = schema.OperatorCodeT()
    op_code = getattr(schema.BuiltinOperator, spec["op"])
    code.builtinCode = op_code
    code.deprecatedBuiltinCode = min(op_code, 127)
    code.version = 1
    model.operatorCodes = [code]
    model.buffers = [schema.BufferT()]  # buffer 0: the empty sentinel

    graph = schema.SubGraphT()
    graph.tensors = []
    for i, t in enumerate(spec["tensors"]):
        tensor = schema.TensorT()
        tensor.shape = np.array(t["shape"], dtype=np.int32)
        tensor.type, dtype = TYPES[t["type"]]
        tensor.name = f"t{i}".encode()
        buffer = schema.BufferT()
        if t.get("data") is not None:
            buffer.data = np.frombuffer(np.array(t["data"], dtype=dtype).tobytes(), dtype=np.uint8)
        tensor.buffer = len(model.buffers)
        model.buffers.append(buffer)
        if "scale" in t:
            q = schema.QuantizationParametersT()
            q.scale = np.array([t["scale"]], dtype=np.float32)
            q.zeroPoint = np.array([t["zero_point"]], dtype=np.int64)
            tensor.quantization = q
        graph.tensors.append(tensor)

    op = schema.OperatorT()
    op.opcodeIndex = 0
    op.inputs = np.array(spec["inputs"], dtype=np.int32)
    op.outputs = np.array(spec["outputs"], dtype=np.int32)
    if spec["op"] in OPTIONS:
        name, cls = OPTIONS[spec["op"]]
        options = cls()
        for key, value in spec.get("options", {}).items():
            setattr(options, key, value)
        op.builtinOptionsType = getattr(schema.BuiltinOptions, name)
        op.builtinOptions = options
    graph.operators = [op]
    graph.inputs = np.array(spec["graph_inputs"], dtype=np.int32)
    graph.outputs = np.array(spec["graph_outputs"], dtype=np.int32)
    model.subgraphs = [graph]

    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    with open(sys.argv[1], "wb") as f:
        f.write(builder.Output())


if __name__ == "__main__":
    main()
