"""Evaluator-owned: held-out accuracy of the run's predictions. Last line: metrics JSON."""
import json
import os
import sys

import numpy as np

path = os.path.join(os.environ["AUTOLAB_ARTIFACTS"], "predictions.npy")
try:
    predictions = np.load(path, allow_pickle=False)
except Exception as error:  # a missing or corrupt artifact
    print(f"cannot read {path}: {error}", file=sys.stderr)
    sys.exit(1)
labels = np.load(os.path.join(os.environ["AUTOLAB_HOLDOUT"], "test_y.npy"))
if predictions.shape != labels.shape:
    print(f"expected {labels.shape[0]} predictions, got shape {predictions.shape}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"accuracy": float((predictions == labels).mean())}))
