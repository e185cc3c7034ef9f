"""Evaluator-owned: splits scikit-learn's bundled digits data set (no download).

Writes the training split and the held-out inputs to $AUTOLAB_DATA, and the held-out
labels to $AUTOLAB_HOLDOUT, which only the score phase can see."""
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

data, holdout = os.environ["AUTOLAB_DATA"], os.environ["AUTOLAB_HOLDOUT"]
os.makedirs(data, exist_ok=True)
os.makedirs(holdout, exist_ok=True)
digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.data / 16.0, digits.target, test_size=0.3, random_state=1234, stratify=digits.target
)
np.savez(os.path.join(data, "train.npz"), X=X_train, y=y_train)
np.save(os.path.join(data, "test_X.npy"), X_test)
np.save(os.path.join(holdout, "test_y.npy"), y_test)
print(f"train {X_train.shape}, held-out {X_test.shape}")
