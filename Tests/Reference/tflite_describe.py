"""Reads a .tflite with the flatbuffer schema that ships with tflite_micro (no
TensorFlow): operators, their options, tensors with quantization and constant data,
as plain JSON-able dicts. Used by the model / vector generators."""
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

BUILTIN_NAMES = {v: k for k, v in schema.BuiltinOperator.__dict__.items() if not k.startswith("_")}
TYPE_NAMES = {v: k for k, v in schema.TensorType.__dict__.items() if not k.startswith("_")}
ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
PADDINGS = {0: "SAME", 1: "VALID"}


def tensor_info(model, subgraph, index, graph_inputs):
  t = subgraph.Tensors(index)
  q = t.Quantization()
  scales = [float(s) for s in q.ScaleAsNumpy()] if q is not None and q.ScaleLength() else []
  zps = [int(z) for z in q.ZeroPointAsNumpy()] if q is not None and q.ZeroPointLength() else []
  info = {
      "shape": [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else [],
      "type": TYPE_NAMES[t.Type()],
      "scales": scales,
      "zero_points": zps,
      "quantized_dimension": q.QuantizedDimension() if q is not None else 0,
  }
  buf = model.Buffers(t.Buffer())
  if index not in graph_inputs and buf is not None and buf.DataLength() > 0:
    dtype = {"INT8": np.int8, "INT32": np.int32, "INT16": np.int16, "INT64": np.int64}[info["type"]]
    info["data"] = [int(v) for v in np.frombuffer(buf.DataAsNumpy().tobytes(), dtype=dtype)]
  return info


def options(op, code):
  table = op.BuiltinOptions()
  name = BUILTIN_NAMES[code]

  def load(cls):
    o = cls()
    o.Init(table.Bytes, table.Pos)
    return o

  if name == "CONV_2D":
    o = load(schema.Conv2DOptions)
    return {"padding": PADDINGS[o.Padding()], "stride_h": o.StrideH(), "stride_w": o.StrideW(),
            "dilation_h": o.DilationHFactor(), "dilation_w": o.DilationWFactor(),
            "activation": ACTIVATIONS[o.FusedActivationFunction()]}
  if name == "DEPTHWISE_CONV_2D":
    o = load(schema.DepthwiseConv2DOptions)
    return {"padding": PADDINGS[o.Padding()], "stride_h": o.StrideH(), "stride_w": o.StrideW(),
            "dilation_h": o.DilationHFactor(), "dilation_w": o.DilationWFactor(),
            "depth_multiplier": o.DepthMultiplier(),
            "activation": ACTIVATIONS[o.FusedActivationFunction()]}
  if name == "FULLY_CONNECTED":
    o = load(schema.FullyConnectedOptions)
    return {"activation": ACTIVATIONS[o.FusedActivationFunction()], "keep_num_dims": bool(o.KeepNumDims())}
  if name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
    o = load(schema.Pool2DOptions)
    return {"padding": PADDINGS[o.Padding()], "stride_h": o.StrideH(), "stride_w": o.StrideW(),
            "filter_h": o.FilterHeight(), "filter_w": o.FilterWidth(),
            "activation": ACTIVATIONS[o.FusedActivationFunction()]}
  if name == "SOFTMAX":
    return {"beta": float(np.float32(load(schema.SoftmaxOptions).Beta()))}
  if name == "ADD":
    return {"activation": ACTIVATIONS[load(schema.AddOptions).FusedActivationFunction()]}
  if name == "MUL":
    return {"activation": ACTIVATIONS[load(schema.MulOptions).FusedActivationFunction()]}
  if name == "MEAN":
    return {"keep_dims": bool(load(schema.ReducerOptions).KeepDims())}
  if name == "SUB":
    return {"activation": ACTIVATIONS[load(schema.SubOptions).FusedActivationFunction()]}
  if name == "LEAKY_RELU":
    return {"alpha": float(np.float32(load(schema.LeakyReluOptions).Alpha()))}
  if name == "SQUEEZE":
    o = load(schema.SqueezeOptions)
    return {"squeeze_dims": [int(d) for d in o.SqueezeDimsAsNumpy()] if o.SqueezeDimsLength() else []}
  if name == "SPLIT":
    return {"num_splits": load(schema.SplitOptions).NumSplits()}
  return {}


def op_name(model, op):
  oc = model.OperatorCodes(op.OpcodeIndex())
  return BUILTIN_NAMES[max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())]


def describe_op(model, subgraph, index):
  """Op name, options and every input / output tensor of operator `index`."""
  op = subgraph.Operators(index)
  oc = model.OperatorCodes(op.OpcodeIndex())
  code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
  graph_inputs = [int(i) for i in subgraph.InputsAsNumpy()]
  inputs = []
  for i in op.InputsAsNumpy():
    inputs.append(None if i < 0 else tensor_info(model, subgraph, int(i), graph_inputs))
  outputs = [tensor_info(model, subgraph, int(i), graph_inputs) for i in op.OutputsAsNumpy()]
  return {
      "op": BUILTIN_NAMES[code],
      "options": options(op, code),
      "inputs": inputs,
      "outputs": outputs,
      "input_tensors": [int(i) for i in op.InputsAsNumpy()],
      "output_tensors": [int(i) for i in op.OutputsAsNumpy()],
  }


def describe(tflite_bytes):
  """The single op of a one-op model, and where the graph inputs enter it."""
  model = schema.Model.GetRootAs(tflite_bytes, 0)
  subgraph = model.Subgraphs(0)
  if subgraph.OperatorsLength() != 1:
    codes = [op_name(model, subgraph.Operators(i)) for i in range(subgraph.OperatorsLength())]
    raise RuntimeError(f"expected one op, got {codes}")
  described = describe_op(model, subgraph, 0)
  graph_inputs = [int(i) for i in subgraph.InputsAsNumpy()]
  # Position of each graph input among the op's inputs (ADD/MUL have two).
  described["graph_inputs"] = [described["input_tensors"].index(g) for g in graph_inputs]
  del described["input_tensors"], described["output_tensors"]
  return described


