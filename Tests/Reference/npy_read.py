"""Reads .npy files with numpy itself and prints what numpy sees, as JSON lines:
{"dtype": "<u2", "shape": [2, 3], "values": [...flattened...]}. The live check that
our own npy writer produces files numpy accepts and reads back as written."""
import json
import sys

import numpy as np

for path in sys.argv[1:]:
    a = np.load(path, allow_pickle=False)
    values = a.ravel().tolist()
    print(json.dumps({"dtype": a.dtype.str, "shape": list(a.shape), "values": values}))
