"""bench:failures recipe `divergence`: heavy-ball gradient descent on a quadratic whose
curvature grows with the width; above the learning-rate edge lr * curvature > 2 (1 +
momentum) the loss blows up and training stops with FloatingPointError.

Usage: train.py params.json | train.py --optimum
"""
import json
import math
import sys

STEPS = 30


def train(lr, width, momentum, report=None):
    curvature = width / 16
    x, velocity = 1.0, 0.0
    for step in range(1, STEPS + 1):
        velocity = momentum * velocity - lr * curvature * x
        x = x + velocity
        loss = 0.5 * curvature * x * x
        if not math.isfinite(loss) or loss > 1e6:
            raise FloatingPointError(f"loss became {loss:.3g} at step {step}; training diverged (lr {lr:g})")
        if report is not None and step % 10 == 0:
            report(step, loss)
    return 0.5 * curvature * x * x


def val_loss(width, train_loss):
    return 1.0 + 0.8 / math.sqrt(width / 16) + 0.1 * math.log10(train_loss + 1e-8)


def optimum():
    import numpy as np

    def scores(lr, width, momentum):
        curvature = width / 16
        x = np.ones_like(lr)
        velocity = np.zeros_like(lr)
        alive = np.ones(lr.shape, dtype=bool)
        for _ in range(STEPS):
            velocity = momentum * velocity - lr * curvature * x
            x = x + velocity
            loss = 0.5 * curvature * x * x
            alive &= np.isfinite(loss) & (loss <= 1e6)
            x = np.where(alive, x, 0.0)
            velocity = np.where(alive, velocity, 0.0)
        values = 1.0 + 0.8 / np.sqrt(width / 16) + 0.1 * np.log10(0.5 * curvature * x * x + 1e-8)
        return np.where(alive, values, np.inf)

    best = math.inf
    for width in range(16, 1025, 16):
        lr = np.exp(np.linspace(math.log(1e-4), math.log(10.0), 600))[:, None]
        momentum = np.linspace(0.0, 0.95, 96)[None, :]
        grid = scores(lr + 0 * momentum, width, momentum + 0 * lr)
        best = min(best, float(grid.min()))
    return best


def main():
    if sys.argv[1] == "--optimum":
        print(json.dumps({"optimum": optimum()}))
        return
    with open(sys.argv[1]) as handle:
        cfg = json.load(handle)
    print(f"config: {json.dumps(cfg)}")
    train_loss = train(cfg["lr"], cfg["width"], cfg["momentum"], lambda step, loss: print(f"step {step}: loss {loss:.4g}"))
    print(json.dumps({"val_loss": val_loss(cfg["width"], train_loss), "train_loss": train_loss}))


if __name__ == "__main__":
    main()
