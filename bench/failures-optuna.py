#!/usr/bin/env python3
"""Optuna's side of `npm run bench:failures`.

Runs Optuna's TPESampler (default settings) on one recipe of bench/failures-recipes for
several seeds: the baseline is enqueued as the first trial, then `--trials` more; each
trial writes params.json and runs the recipe's train.py as a real process (under the same
memory cap, `ulimit -v`, as autolab's executor), reads the metrics JSON from its last
stdout line and checks the gates. A trial whose process fails or misses a gate raises,
so Optuna records it as FAIL (what a user's objective does); with `--constraints`, it
completes instead with the baseline's value plus one and a violated constraint, for
TPESampler(constraints_func=...) (Optuna's c-TPE-style handling of infeasible trials).

Input: a JSON file (argv[1]) {"recipe": {dir, knobs, baseline, metric, gates, memoryBytes},
"seeds": [...], "trials": N, "constraints": bool, "python": path, "work": dir}.
Output (stdout, one JSON line): {"optuna", "sampler", "runs": [{"seed", "best", "failed",
"proposals", "seconds"}]}.
"""
import json
import math
import os
import subprocess
import sys
import time

import optuna


def suggest(trial, knob):
    if knob["type"] == "categorical":
        return trial.suggest_categorical(knob["name"], knob["choices"])
    log = bool(knob.get("log", False))
    step = knob.get("step")
    if knob["type"] == "int":
        return trial.suggest_int(knob["name"], int(knob["low"]), int(knob["high"]), step=int(step) if step else 1, log=log)
    return trial.suggest_float(knob["name"], knob["low"], knob["high"], step=step, log=log)


def gate_passes(gate, metrics):
    metric, op, value = gate.split()
    value = float(value)
    actual = metrics.get(metric)
    if actual is None:
        return False
    return {"<=": actual <= value, "<": actual < value, ">=": actual >= value, ">": actual > value, "==": actual == value, "!=": actual != value}[op]


def run_recipe(recipe, params, folder, python):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "params.json"), "w") as handle:
        json.dump(params, handle)
    command = f"exec {python} {os.path.join(recipe['dir'], 'train.py')} params.json"
    if recipe.get("memoryBytes"):
        command = f"ulimit -v {recipe['memoryBytes'] // 1024}; {command}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    result = subprocess.run(["/bin/sh", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        return None
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    try:
        metrics = json.loads(lines[-1])
    except (IndexError, ValueError):
        return None
    value = metrics.get(recipe["metric"])
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if not all(gate_passes(gate, metrics) for gate in recipe["gates"]):
        return None
    return float(value)


class RecipeFailed(Exception):
    pass


def main():
    with open(sys.argv[1]) as handle:
        job = json.load(handle)
    recipe = job["recipe"]
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings

    warnings.filterwarnings("ignore")
    runs = []
    for seed in job["seeds"]:
        folder = os.path.join(job["work"], f"{recipe['name']}-optuna{'-constraints' if job['constraints'] else ''}-s{seed}")
        baseline_value = run_recipe(recipe, recipe["baseline"], folder, job["python"])
        state = {"best": baseline_value, "failed": 0}

        def objective(trial):
            params = {knob["name"]: suggest(trial, knob) for knob in recipe["knobs"]}
            value = run_recipe(recipe, params, folder, job["python"])
            is_baseline = trial.number == 0
            if value is None:
                if not is_baseline:
                    state["failed"] += 1
                if job["constraints"]:
                    trial.set_user_attr("constraint", [1.0])
                    return baseline_value + 1.0
                raise RecipeFailed("the recipe failed")
            if job["constraints"]:
                trial.set_user_attr("constraint", [-1.0])
            state["best"] = min(state["best"], value)
            return value

        kwargs = {"seed": seed}
        if job["constraints"]:
            kwargs["constraints_func"] = lambda trial: trial.user_attrs.get("constraint", [1.0])
        sampler = optuna.samplers.TPESampler(**kwargs)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        study.enqueue_trial(recipe["baseline"])
        started = time.perf_counter()
        study.optimize(objective, n_trials=job["trials"] + 1, catch=(RecipeFailed,))
        runs.append({"seed": seed, "best": state["best"], "failed": state["failed"], "proposals": job["trials"], "seconds": time.perf_counter() - started})
    json.dump({"optuna": optuna.__version__, "sampler": "optuna-tpe-constraints" if job["constraints"] else "optuna-tpe", "runs": runs}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
