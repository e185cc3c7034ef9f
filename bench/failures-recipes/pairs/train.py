"""bench:failures recipe `pairs`: some optimizer, schedule and precision combinations
never work together (OneCycle needs momentum; some optimizers have no fp16 kernel).

Usage: train.py params.json | train.py --optimum
"""
import itertools
import json
import math
import sys

from optim import HALF_SAFE, MOMENTUM, Optimizer, make_schedule

OPTIMIZER = {"sgd": 0.35, "momentum": 0.2, "adam": 0.1, "adamw": 0.05, "lion": 0.0}
BEST_LR = {"sgd": 0.1, "momentum": 0.03, "adam": 1e-3, "adamw": 1e-3, "lion": 1e-4}
SCHEDULE = {"constant": 0.15, "cosine": 0.0, "onecycle": -0.03, "step": 0.08}
PRECISION = {"fp32": 0.05, "bf16": 0.0, "fp16": -0.02}


def val_loss(optimizer, schedule, precision, lr):
    return 1.5 + OPTIMIZER[optimizer] + SCHEDULE[schedule] + PRECISION[precision] + 0.25 * math.log10(lr / BEST_LR[optimizer]) ** 2


def feasible(optimizer, schedule, precision):
    return (schedule != "onecycle" or MOMENTUM[optimizer]) and (precision != "fp16" or HALF_SAFE[optimizer])


def optimum():
    return min(
        val_loss(o, s, p, BEST_LR[o])
        for o, s, p in itertools.product(OPTIMIZER, SCHEDULE, PRECISION)
        if feasible(o, s, p)
    )


def main():
    if sys.argv[1] == "--optimum":
        print(json.dumps({"optimum": optimum()}))
        return
    with open(sys.argv[1]) as handle:
        cfg = json.load(handle)
    print(f"config: {json.dumps(cfg)}")
    optimizer = Optimizer(cfg["optimizer"], cfg["lr"], cfg["precision"])
    schedule = make_schedule(cfg["schedule"], optimizer, 300)
    loss = val_loss(cfg["optimizer"], cfg["schedule"], cfg["precision"], cfg["lr"])
    for step in (0, 150, 299):
        print(f"step {step}: lr {schedule[step]:.2e} loss {loss + math.exp(-step / 100):.4f}")
    print(json.dumps({"val_loss": loss}))


if __name__ == "__main__":
    main()
