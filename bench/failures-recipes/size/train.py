"""bench:failures recipe `size`: a model whose checkpoint must stay under a size gate
(`artifact_bytes <= 16e6`, checked by the evaluator); the checkpoint grows with
depth * width^2, and bigger models score better, so the best lies at the gate.

Usage: train.py params.json | train.py --optimum
"""
import json
import math
import sys

GATE_BYTES = 16e6


def parameters(depth, width):
    return depth * (12 * width * width + 13 * width) + 256 * width


def artifact_bytes(depth, width):
    return 2 * parameters(depth, width) + 4096


def val_loss(depth, width, lr):
    best_lr = 3e-3 * math.sqrt(512 / width)
    shape = 1 + 0.1 * (math.log2(width / depth) - 6) ** 2
    return 1.7 + 3.0 * parameters(depth, width) ** -0.12 * shape + 0.2 * math.log10(lr / best_lr) ** 2


def optimum():
    best = math.inf
    for depth in range(1, 17):
        for width in range(64, 1025, 64):
            if artifact_bytes(depth, width) <= GATE_BYTES:
                best = min(best, val_loss(depth, width, 3e-3 * math.sqrt(512 / width)))
    return best


def main():
    if sys.argv[1] == "--optimum":
        print(json.dumps({"optimum": optimum()}))
        return
    with open(sys.argv[1]) as handle:
        cfg = json.load(handle)
    print(f"config: {json.dumps(cfg)}")
    size = artifact_bytes(cfg["depth"], cfg["width"])
    loss = val_loss(cfg["depth"], cfg["width"], cfg["lr"])
    print(f"model: {parameters(cfg['depth'], cfg['width']) / 1e6:.2f}M parameters, checkpoint {size / 1e6:.1f} MB")
    print(json.dumps({"val_loss": loss, "artifact_bytes": size}))


if __name__ == "__main__":
    main()
