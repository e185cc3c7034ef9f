"""The recipe: trains a classifier on the digits and predicts the held-out inputs.

Its wall time is the objective (measured by autolab, not by this script); the mean
held-out accuracy over the repeats must stay at or above the gate."""
import json
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)
config = json.load(open("config.json"))
seed = int(os.environ.get("AUTOLAB_SEED", "0"))
train = np.load(os.path.join(os.environ["AUTOLAB_DATA"], "train.npz"))
X_test = np.load(os.path.join(os.environ["AUTOLAB_DATA"], "test_X.npy"))

hidden = 128  # autolab: hidden
model = MLPClassifier(
    hidden_layer_sizes=(hidden,) * config["layers"],
    learning_rate_init=config["lr"],
    batch_size=config["batch"],
    max_iter=config["max_iter"],
    tol=config["tol"],
    alpha=config["alpha"],
    random_state=seed,
)
model.fit(train["X"], train["y"])
predictions = model.predict(X_test)
np.save(os.path.join(os.environ["AUTOLAB_ARTIFACTS"], "predictions.npy"), predictions.astype(np.int64))
print(f"trained {config['layers']}x{hidden} for {model.n_iter_} epochs")
