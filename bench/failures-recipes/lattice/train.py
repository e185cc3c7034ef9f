"""bench:failures recipe `lattice`: a character-level transformer whose attention needs
d_model to be a multiple of n_heads (the model asserts it, as nanoGPT does).

Usage: train.py params.json   (prints progress, then the metrics JSON line)
       train.py --optimum     (the best val_loss over the feasible space)
"""
import json
import math
import sys

from model import TinyTransformer


def val_loss(d_model, n_heads, n_layers, lr):
    head_dim = d_model / n_heads
    return (
        1.9
        + 0.25 * math.log2(d_model / 410) ** 2
        + 0.15 * math.log2(head_dim / 60) ** 2
        + 0.0125 * (n_layers - 6) ** 2
        + 0.2 * math.log10(lr / 3e-3) ** 2
    )


def optimum():
    best = math.inf
    for d_model in range(32, 513):
        for n_heads in range(1, 17):
            if d_model % n_heads == 0:
                best = min(best, val_loss(d_model, n_heads, 6, 3e-3))
    return best


def main():
    if sys.argv[1] == "--optimum":
        print(json.dumps({"optimum": optimum()}))
        return
    with open(sys.argv[1]) as handle:
        cfg = json.load(handle)
    print(f"config: {json.dumps(cfg)}")
    model = TinyTransformer(cfg["d_model"], cfg["n_heads"], cfg["n_layers"])
    print(f"model: {model.parameters() / 1e6:.2f}M parameters, head_dim {model.head_dim}")
    loss = val_loss(cfg["d_model"], cfg["n_heads"], cfg["n_layers"], cfg["lr"])
    for step in (0, 250, 500):
        print(f"step {step}: train loss {loss + 1.5 * math.exp(-step / 150):.4f}")
    print(json.dumps({"val_loss": loss}))


if __name__ == "__main__":
    main()
