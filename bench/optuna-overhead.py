"""Optuna's own overhead per trial with a SQLite storage: a trivial objective, so all
the time measured is the framework's (sampler, storage, bookkeeping). Prints one JSON
line: {"trials": N, "p50_ms": ..., "p95_ms": ..., "mean_ms": ...}."""
import json
import os
import sys
import tempfile
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
with tempfile.TemporaryDirectory() as tmp:
    storage = f"sqlite:///{os.path.join(tmp, 'optuna.db')}"
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=0))
    stamps = []

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        return (x - 3) ** 2

    def callback(study, trial):
        stamps.append(time.perf_counter())

    start = time.perf_counter()
    study.optimize(objective, n_trials=n, callbacks=[callback])
    gaps = [(b - a) * 1000 for a, b in zip([start] + stamps[:-1], stamps)]
    gaps.sort()
    print(json.dumps({
        "trials": n,
        "p50_ms": gaps[len(gaps) // 2],
        "p95_ms": gaps[int(len(gaps) * 0.95)],
        "mean_ms": sum(gaps) / len(gaps),
    }))
