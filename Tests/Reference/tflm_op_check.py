"""Runs the TFLite Micro Python interpreter (the live reference) on a .tflite file.

Usage: tflm_op_check.py MODEL.tflite < cases.json > outputs.json
       tflm_op_check.py --batch < {"MODEL.tflite": cases, ...} > {"MODEL.tflite": outputs}

cases is a JSON list; each case is a list with one flat int list per model input
(in input order). The answer holds, per case, one flat int list per model output.
       tflm_op_check.py --layers MODEL.tflite < cases.json > tensors.json
The batch form runs many models in one process (the tests use it). The layers form
keeps every tensor (kPreserveAllTensors) and answers, per case, a map from tensor
index to its flat values, for every tensor an operator reads or writes that is not
a constant. No TensorFlow here: tflite_micro and numpy only, so
`make test` can check stored expectations against the live interpreter.
"""
import json
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema


def output_count(model_path):
  with open(model_path, "rb") as f:
    model = schema.Model.GetRootAs(f.read(), 0)
  return model.Subgraphs(0).OutputsLength()


def run_cases(model_path, cases):
  interpreter = runtime.Interpreter.from_file(model_path)
  count = output_count(model_path)
  results = []
  for case in cases:
    for index, values in enumerate(case):
      details = interpreter.get_input_details(index)
      data = np.array(values, dtype=details["dtype"]).reshape(details["shape"])
      interpreter.set_input(data, index)
    interpreter.invoke()
    outputs = [[int(v) for v in np.asarray(interpreter.get_output(i)).flatten()]
               for i in range(count)]
    results.append(outputs)
    interpreter.reset()
  return results


def run_layers(model_path, cases):
  with open(model_path, "rb") as f:
    model = schema.Model.GetRootAs(f.read(), 0)
  subgraph = model.Subgraphs(0)
  tensors = set()
  for i in range(subgraph.OperatorsLength()):
    op = subgraph.Operators(i)
    for t in list(op.InputsAsNumpy()) + list(op.OutputsAsNumpy()):
      if t >= 0 and model.Buffers(subgraph.Tensors(int(t)).Buffer()).DataLength() == 0:
        tensors.add(int(t))
  interpreter = runtime.Interpreter.from_file(
      model_path, intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)
  results = []
  for case in cases:
    for index, values in enumerate(case):
      details = interpreter.get_input_details(index)
      interpreter.set_input(np.array(values, dtype=details["dtype"]).reshape(details["shape"]), index)
    interpreter.invoke()
    results.append({str(t): [int(v) for v in np.asarray(interpreter.GetTensor(t, 0)["tensor_data"]).flatten()]
                    for t in sorted(tensors)})
    interpreter.reset()
  return results


def main():
  if len(sys.argv) == 3 and sys.argv[1] == "--layers":
    json.dump(run_layers(sys.argv[2], json.load(sys.stdin)), sys.stdout)
    return
  if len(sys.argv) != 2:
    sys.exit("usage: tflm_op_check.py MODEL.tflite|--batch|--layers MODEL < cases.json")
  request = json.load(sys.stdin)
  if sys.argv[1] == "--batch":
    answer = {path: run_cases(path, cases) for path, cases in request.items()}
  else:
    answer = run_cases(sys.argv[1], request)
  json.dump(answer, sys.stdout)


if __name__ == "__main__":
  main()
