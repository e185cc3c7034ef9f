#!/usr/bin/env python3
"""Optuna's side of `npm run bench:samplers`.

Runs Optuna's TPESampler (default settings, or multivariate=True) sequentially on one
analytic test function for several seeds and prints one JSON object on stdout:
{"function", "sampler", "optuna", "trials", "runs": [{"seed", "best", "regret", "seconds"}]}.

The test functions are implemented identically in bench/samplers-functions.ts; keep the
two in step.

Usage: samplers-optuna.py FUNCTION --seeds 0,1,2 --trials 60 [--multivariate]
"""
import argparse
import json
import math
import sys
import time

import optuna


def branin(x1, x2):
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def rosenbrock(xs):
    return sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(len(xs) - 1))


HARTMANN_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
HARTMANN_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(xs):
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (xs[j] - HARTMANN_P[i][j]) ** 2 for j in range(6))
        total -= HARTMANN_ALPHA[i] * math.exp(-inner)
    return total


# The mixed surface: a model-tuning caricature with a log float, a log int, a linear int,
# a categorical and a linear float; the best learning rate depends on the width and on the
# activation. Minimum 0 at lr=1e-3, width=256, depth=4, act=gelu, dropout=0.1.
MIXED_ACT_OFFSET = {"relu": 0.15, "gelu": 0.0, "silu": 0.05, "tanh": 0.6}
MIXED_ACT_LR_SHIFT = {"relu": 0.0, "gelu": 0.0, "silu": 0.3, "tanh": -0.5}


def mixed(lr, width, depth, act, dropout):
    w = math.log2(width)
    best_log_lr = -3.0 - 0.5 * (w - 8) + MIXED_ACT_LR_SHIFT[act]
    return (
        (math.log10(lr) - best_log_lr) ** 2
        + 0.1 * (w - 8) ** 2
        + 0.05 * (depth - 4) ** 2
        + 2.0 * (dropout - 0.1) ** 2
        + MIXED_ACT_OFFSET[act]
    )


def objective_for(name):
    if name == "branin":
        return (lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15))), 0.397887357729739
    if name == "rosenbrock4":
        return (lambda t: rosenbrock([t.suggest_float(f"x{i}", -2, 2) for i in range(4)])), 0.0
    if name == "hartmann6":
        return (lambda t: hartmann6([t.suggest_float(f"x{i}", 0, 1) for i in range(6)])), -3.32236801141551
    if name == "mixed":
        return (
            lambda t: mixed(
                t.suggest_float("lr", 1e-5, 1.0, log=True),
                t.suggest_int("width", 16, 1024, log=True),
                t.suggest_int("depth", 1, 8),
                t.suggest_categorical("act", ["relu", "gelu", "silu", "tanh"]),
                t.suggest_float("dropout", 0.0, 0.8),
            )
        ), 0.0
    raise SystemExit(f"unknown function {name!r}; use branin, rosenbrock4, hartmann6 or mixed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("function")
    parser.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--multivariate", action="store_true")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings

    warnings.filterwarnings("ignore")
    objective, optimum = objective_for(args.function)
    runs = []
    for seed in [int(s) for s in args.seeds.split(",") if s != ""]:
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=args.multivariate)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        started = time.perf_counter()
        study.optimize(objective, n_trials=args.trials)
        runs.append({"seed": seed, "best": study.best_value, "regret": study.best_value - optimum, "seconds": time.perf_counter() - started})
    json.dump(
        {
            "function": args.function,
            "sampler": "optuna-tpe-multivariate" if args.multivariate else "optuna-tpe",
            "optuna": optuna.__version__,
            "trials": args.trials,
            "runs": runs,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
