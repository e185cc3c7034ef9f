#!/usr/bin/env python3
"""Optuna's side of `npm run bench:pareto`.

Runs Optuna's NSGAIISampler or its multi-objective TPESampler (default settings, seeded)
sequentially on one problem and prints one JSON object on stdout:
{"problem", "sampler", "optuna", "trials", "runs": [{"seed", "values": [[f...], ...], "seconds"}]}.
The hypervolume is computed by the TypeScript side (src/core/hypervolume.ts) from the
values, so both sides are measured by the same code against the same reference point.

The problems are implemented identically in bench/pareto-problems.ts; keep them in step.
The real-process recipe (`compress`) runs bench/pareto-recipe/compress.py per trial.

Usage: pareto-optuna.py PROBLEM --sampler nsga2|tpe --seeds 0,1,2 --trials 100
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import optuna


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt1(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = zdt_g(x)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def zdt3(x):
    g = zdt_g(x)
    r = x[0] / g
    return [x[0], g * (1 - math.sqrt(r) - r * math.sin(10 * math.pi * x[0]))]


def dtlz2(x):
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a = x[0] * math.pi / 2
    b = x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]


ANALYTIC = {"zdt1": (zdt1, 30, 2), "zdt2": (zdt2, 30, 2), "zdt3": (zdt3, 30, 2), "dtlz2": (dtlz2, 12, 3)}

RECIPE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pareto-recipe", "compress.py")
STRATEGIES = ["default", "filtered", "huffman_only", "rle", "fixed"]


def compress_objective(trial):
    params = {
        "level": trial.suggest_int("level", 0, 9),
        "mem_level": trial.suggest_int("mem_level", 1, 9),
        "wbits": trial.suggest_int("wbits", 9, 15),
        "strategy": trial.suggest_categorical("strategy", STRATEGIES),
        "chunk_kib": trial.suggest_int("chunk_kib", 1, 1024, log=True),
        "delta": trial.suggest_categorical("delta", [False, True]),
    }
    out = subprocess.run([sys.executable, RECIPE, json.dumps(params)], capture_output=True, text=True, check=True)
    metrics = json.loads(out.stdout.strip().splitlines()[-1])
    return [metrics["ratio"], metrics["cpu_ms"]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("problem")
    parser.add_argument("--sampler", choices=["nsga2", "tpe"], required=True)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--trials", type=int, default=100)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings

    warnings.filterwarnings("ignore")
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        sampler = optuna.samplers.NSGAIISampler(seed=seed) if args.sampler == "nsga2" else optuna.samplers.TPESampler(seed=seed)
        if args.problem == "compress":
            study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
            objective = compress_objective
        else:
            fn, dims, count = ANALYTIC[args.problem]
            study = optuna.create_study(directions=["minimize"] * count, sampler=sampler)

            def objective(trial, fn=fn, dims=dims):
                return fn([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(dims)])

        start = time.time()
        study.optimize(objective, n_trials=args.trials)
        values = [list(t.values) for t in study.trials if t.values is not None]
        runs.append({"seed": seed, "values": values, "seconds": time.time() - start})
    print(json.dumps({"problem": args.problem, "sampler": args.sampler, "optuna": optuna.__version__, "trials": args.trials, "runs": runs}))


if __name__ == "__main__":
    main()
