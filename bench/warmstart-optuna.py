#!/usr/bin/env python3
"""Optuna's side of `npm run bench:warmstart`.

For each seed: a source study of `--source-trials` trials on the first recipe of a pair
(TPESampler, the recipe's defaults enqueued first), then the second recipe's study with
Optuna's two warm starts: the source study's best `--enqueue` trials enqueued after the
defaults, then TPESampler (`warm`), and warm-started CMA-ES (`CmaEsSampler(source_trials=...)`,
WS-CMA-ES, after the defaults: `warm_cmaes`); and, for reference, cold (the defaults, then
TPESampler). Prints one JSON object: {"optuna", "pair", "runs": [{"seed", "cold", "warm",
"warm_cmaes"}]}, each the
1-based trial at which the best value came within the target, or null.

Usage: warmstart-optuna.py PAIR --seeds 0,1 --trials 60 --source-trials 40 --target 0.52 --enqueue 3
"""
import argparse
import importlib.util
import json
import os
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
spec = importlib.util.spec_from_file_location("recipes", os.path.join(os.path.dirname(__file__), "warmstart-recipes.py"))
recipes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipes)

DEFAULTS = {"lr": 0.01, "width": 90, "dropout": 0.25}


def suggest(trial):
    return {
        "lr": trial.suggest_float("lr", 1e-4, 1.0, log=True),
        "width": trial.suggest_int("width", 16, 512, log=True),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }


def study_on(fn, seed, trials, target, enqueued, sampler=None):
    study = optuna.create_study(direction="minimize", sampler=sampler or optuna.samplers.TPESampler(seed=seed))
    for params in [DEFAULTS] + enqueued:
        study.enqueue_trial(params)
    hit = None
    for index in range(trials):
        trial = study.ask()
        value = recipes.evaluate(fn, suggest(trial))
        study.tell(trial, value)
        if hit is None and value <= target:
            hit = index + 1
            break
    return study, hit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pair")
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--source-trials", type=int, default=40)
    parser.add_argument("--target", type=float, required=True)
    parser.add_argument("--enqueue", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        source, _ = study_on(args.pair + "_a", seed, args.source_trials, float("-inf"), [])
        best = sorted([t for t in source.trials if t.value is not None], key=lambda t: t.value)[: args.enqueue]
        _, warm = study_on(args.pair + "_b", seed + 1000, args.trials, args.target, [dict(t.params) for t in best])
        _, cold = study_on(args.pair + "_b", seed + 1000, args.trials, args.target, [])
        # Warm-started CMA-ES (Nomura et al. 2021): its initial distribution from the source study's best trials.
        ws_cma = optuna.samplers.CmaEsSampler(seed=seed + 1000, source_trials=source.trials)
        _, warm_cmaes = study_on(args.pair + "_b", seed + 1000, args.trials, args.target, [], ws_cma)
        runs.append({"seed": seed, "cold": cold, "warm": warm, "warm_cmaes": warm_cmaes})
    print(json.dumps({"optuna": optuna.__version__, "pair": args.pair, "runs": runs}))


if __name__ == "__main__":
    main()
