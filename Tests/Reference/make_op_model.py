"""Writes a one-operator .tflite model from a JSON spec (test fixture generator).

usage: make_op_model.py OUT.tflite < spec.json

spec: {"op": "STRIDED_SLICE",                   # BuiltinOperator name
       "tensors": [{"shape": [1,5,40], "type": "int8", "scale": 0.5, "zero_point": -3,
                    "data": [...]}, ...],     # data = constant values (optional)
       "inputs": [0, 1, 2, 3], "outputs": [4],  # operator operands (tensor indices)
       "graph_inputs": [0], "graph_outputs": [4],
       "options": {"beginMask": 1, ...}}        # fields of the op's *OptionsT class
or, for a small graph, "ops": [{"op": ..., "inputs": ..., "outputs": ..., "options": ...}]
instead of the single op's fields (tensor type "resource" for VAR_HANDLE outputs).
Used to check structural kernels and the memory plan against the live TFLM interpreter.
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
    "resource": (schema.TensorType.RESOURCE, np.int32),
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
    "VAR_HANDLE": ("VarHandleOptions", schema.VarHandleOptionsT),
    "READ_VARIABLE": ("ReadVariableOptions", schema.ReadVariableOptionsT),
    "ASSIGN_VARIABLE": ("AssignVariableOptions", schema.AssignVariableOptionsT),
    "LEAKY_RELU": ("LeakyReluOptions", schema.LeakyReluOptionsT),
    "HARD_SWISH": ("HardSwishOptions", schema.HardSwishOptionsT),
    "SUB": ("SubOptions", schema.SubOptionsT),
    "SQUEEZE": ("SqueezeOptions", schema.SqueezeOptionsT),
    "EXPAND_DIMS": ("ExpandDimsOptions", schema.ExpandDimsOptionsT),
    "SPLIT": ("SplitOptions", schema.SplitOptionsT),
    "MAXIMUM": ("MaximumMinimumOptions", schema.MaximumMinimumOptionsT),
    "MINIMUM": ("MaximumMinimumOptions", schema.MaximumMinimumOptionsT),
    "TRANSPOSE": ("TransposeOptions", schema.TransposeOptionsT),
}


def main():
    spec = json.load(sys.stdin)
    model = schema.ModelT()
    model.version = 3
    ops = spec.get("ops") or [
        {k: spec[k] for k in ("op", "inputs", "outputs", "options") if k in spec}]
    names = []
    for o in ops:
        if o["op"] not in names:
            names.append(o["op"])
    model.operatorCodes = []
    for name in names:
        code = schema.OperatorCodeT()
        op_code = getattr(schema.BuiltinOperator, name)
        code.builtinCode = op_code
        code.deprecatedBuiltinCode = min(op_code, 127)
        code.version = 1
        model.operatorCodes.append(code)
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

    graph.operators = []
    for o in ops:
        op = schema.OperatorT()
        op.opcodeIndex = names.index(o["op"])
        op.inputs = np.array(o["inputs"], dtype=np.int32)
        op.outputs = np.array(o["outputs"], dtype=np.int32)
        if o["op"] in OPTIONS:
            name, cls = OPTIONS[o["op"]]
            options = cls()
            for key, value in o.get("options", {}).items():
                setattr(options, key, value.encode() if isinstance(value, str) else value)
            op.builtinOptionsType = getattr(schema.BuiltinOptions, name)
            op.builtinOptions = options
        graph.operators.append(op)
    graph.inputs = np.array(spec["graph_inputs"], dtype=np.int32)
    graph.outputs = np.array(spec.get("graph_outputs", spec.get("outputs")), dtype=np.int32)
    model.subgraphs = [graph]

    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    with open(sys.argv[1], "wb") as f:
        f.write(builder.Output())


if __name__ == "__main__":
    main()
