"""Rewrites keras_conv1d.tflite the way older converters wrote Conv1D: the RESHAPEs
around each CONV_2D become EXPAND_DIMS (insert the size-1 height) and SQUEEZE (drop
it). No TensorFlow; run with the reference venv:

    .venv/bin/python Tests/Reference/make_legacy_conv1d.py

Writes Tests/InferenceTests/Models/keras_conv1d_expand_squeeze.tflite. The whole-model
tests run it against the live TFLM interpreter like every committed model.
"""
import os
import sys

import flatbuffers
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from tflite_describe import schema  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "Tests", "InferenceTests", "Models")


def opcode(model, builtin):
  for i, c in enumerate(model.operatorCodes):
    if max(c.builtinCode, c.deprecatedBuiltinCode) == builtin:
      return i
  code = schema.OperatorCodeT()
  code.builtinCode = builtin
  code.deprecatedBuiltinCode = min(builtin, 127)
  code.version = 1
  model.operatorCodes.append(code)
  return len(model.operatorCodes) - 1


def inserted_axis(src, dst):
  """The axis where dst = src with one size-1 dimension inserted, else None."""
  if len(dst) != len(src) + 1:
    return None
  for axis in range(len(dst)):
    if dst[axis] == 1 and list(dst[:axis]) + list(dst[axis + 1:]) == list(src):
      return axis
  return None


def main():
  with open(os.path.join(MODELS, "keras_conv1d.tflite"), "rb") as f:
    model = schema.ModelT.InitFromPackedBuf(f.read(), 0)
  graph = model.subgraphs[0]
  reshape = opcode(model, schema.BuiltinOperator.RESHAPE)
  expanded = squeezed = 0
  for op in graph.operators:
    if op.opcodeIndex != reshape:
      continue
    src = list(graph.tensors[op.inputs[0]].shape)
    dst = list(graph.tensors[op.outputs[0]].shape)
    axis = inserted_axis(src, dst)
    if axis is not None:
      buffer = schema.BufferT()
      buffer.data = np.frombuffer(np.array([axis], dtype=np.int32).tobytes(), dtype=np.uint8)
      model.buffers.append(buffer)
      tensor = schema.TensorT()
      tensor.shape = np.array([1], dtype=np.int32)
      tensor.type = schema.TensorType.INT32
      tensor.buffer = len(model.buffers) - 1
      tensor.name = f"expand_axis_{expanded}".encode()
      graph.tensors.append(tensor)
      op.opcodeIndex = opcode(model, schema.BuiltinOperator.EXPAND_DIMS)
      op.inputs = np.array([op.inputs[0], len(graph.tensors) - 1], dtype=np.int32)
      op.builtinOptionsType = schema.BuiltinOptions.ExpandDimsOptions
      op.builtinOptions = schema.ExpandDimsOptionsT()
      expanded += 1
      continue
    axis = inserted_axis(dst, src)
    if axis is not None:
      op.opcodeIndex = opcode(model, schema.BuiltinOperator.SQUEEZE)
      op.inputs = np.array([op.inputs[0]], dtype=np.int32)
      options = schema.SqueezeOptionsT()
      options.squeezeDims = [axis]
      op.builtinOptionsType = schema.BuiltinOptions.SqueezeOptions
      op.builtinOptions = options
      squeezed += 1
  builder = flatbuffers.Builder(4096)
  builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
  out = os.path.join(MODELS, "keras_conv1d_expand_squeeze.tflite")
  with open(out, "wb") as f:
    f.write(builder.Output())
  print(f"{out}: {expanded} EXPAND_DIMS, {squeezed} SQUEEZE")


if __name__ == "__main__":
  main()
