"""Runs the TFLite Micro Python interpreter (the live reference) on a .tflite file.

Usage: tflm_op_check.py MODEL.tflite < inputs.json > outputs.json

stdin holds a JSON list of cases; each case is a list with one flat int list per
model input (in input order). stdout is a JSON list with, per case, one flat int
list per model output. No TensorFlow here: tflite_micro and numpy only, so
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


def main():
  if len(sys.argv) != 2:
    sys.exit("usage: tflm_op_check.py MODEL.tflite < cases.json")
  cases = json.load(sys.stdin)
  json.dump(run_cases(sys.argv[1], cases), sys.stdout)


if __name__ == "__main__":
  main()
