#!/usr/bin/env python3
"""The recipes of `npm run bench:warmstart`: pairs of studies over the same three knobs
(lr, log 1e-4..1; width, int log 16..512; dropout, 0..0.5), the second study's response
related to the first one's (its optimum shifted, rescaled, partly moved) or not at all.

As a recipe: `warmstart-recipes.py FUNCTION params.json` prints {"value": ...}; with
`--serve FUNCTION` one process answers a JSON line of params per trial (what the bench
runs: one recipe process per study, as a loaded machine makes a process per trial cost
seconds). Imported, it gives the same functions to
bench/warmstart-optuna.py.
"""
import json
import math
import sys

KNOBS = [("lr", 1e-4, 1.0, True), ("width", 16, 512, True), ("dropout", 0.0, 0.5, False)]


def to_unit(params):
    out = []
    for name, low, high, log in KNOBS:
        value = float(params[name])
        out.append((math.log(value) - math.log(low)) / (math.log(high) - math.log(low)) if log else (value - low) / (high - low))
    return out


def bowl(centre, scale, offset, weights=(1.0, 0.6, 0.4)):
    def f(u):
        d = [u[i] - centre[i] for i in range(3)]
        quadratic = sum(weights[i] * d[i] ** 2 for i in range(3)) + 0.5 * d[0] * d[1]
        ripple = 0.02 * sum(1 - math.cos(2 * math.pi * 3 * d[i]) for i in range(3))
        return offset + scale * (quadratic + ripple)
    return f


def two_basins(good, decoy, scale, offset):
    """Unrelated to the first study: a narrow global basin at `good`, a wide shallow one at `decoy`."""
    def f(u):
        g = sum((u[i] - good[i]) ** 2 for i in range(3))
        h = sum((u[i] - decoy[i]) ** 2 for i in range(3))
        return offset + scale * min(1.5 * g, 0.35 + 0.2 * h)
    return f


FUNCTIONS = {
    # shifted: the optimum moved by 0.1 on every knob (unit scale), same shape
    "shifted_a": bowl((0.30, 0.60, 0.20), 1.0, 0.5),
    "shifted_b": bowl((0.40, 0.50, 0.30), 1.0, 0.5),
    # rescaled: 3x the scale and another offset; one knob's optimum moved far (0.35)
    "rescaled_a": bowl((0.70, 0.30, 0.50), 1.0, 1.0),
    "rescaled_b": bowl((0.72, 0.32, 0.15), 3.0, 2.0),
    # unrelated: the second study's good region is where the first was bad
    "unrelated_a": bowl((0.20, 0.80, 0.80), 1.0, 0.5),
    "unrelated_b": two_basins((0.85, 0.15, 0.10), (0.20, 0.80, 0.80), 1.0, 0.5),
}

OPTIMA = {
    "shifted_b": 0.5,
    "rescaled_b": 2.0,
    "unrelated_b": 0.5,
    "shifted_a": 0.5,
    "rescaled_a": 1.0,
    "unrelated_a": 0.5,
}

SCALES = {"shifted_b": 1.0, "rescaled_b": 3.0, "unrelated_b": 1.0, "shifted_a": 1.0, "rescaled_a": 1.0, "unrelated_a": 1.0}


def evaluate(name, params):
    return FUNCTIONS[name](to_unit(params))


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        # One process per study: a JSON line of params in, a JSON line {"value"} out, per trial.
        for line in sys.stdin:
            print(json.dumps({"value": evaluate(sys.argv[2], json.loads(line))}), flush=True)
    else:
        with open(sys.argv[2]) as handle:
            params = json.load(handle)
        print(json.dumps({"value": evaluate(sys.argv[1], params)}))
