"""bench:failures recipe `memory`: activation memory grows with batch * width; past the
run's memory cap (the evaluator's `run.memory`, ulimit -v) the allocation fails with
MemoryError, as a GPU run fails with CUDA out of memory.

Usage: train.py params.json | train.py --optimum (run under the same memory cap)
"""
import json
import math
import sys

SEQUENCE = 64
BYTES = 4


def allocate_activations(batch, width):
    return bytes(batch * width * SEQUENCE * BYTES)


def val_loss(batch, width, lr):
    best_lr = 1e-3 * math.sqrt(batch / 32)
    return 3.0 - 0.08 * math.log2(batch) - 0.1 * math.log2(width) + 0.3 * math.log10(lr / best_lr) ** 2


def largest_allocation():
    low, high = 1, 1 << 40
    while low < high:
        middle = (low + high + 1) // 2
        try:
            buffer = bytes(middle)
            del buffer
            low = middle
        except MemoryError:
            high = middle - 1
    return low


def optimum():
    limit = largest_allocation()
    best = math.inf
    for batch in range(8, 1025):
        width = min(4096, limit // (batch * SEQUENCE * BYTES))
        if width >= 32:
            best = min(best, val_loss(batch, width, 1e-3 * math.sqrt(batch / 32)))
    return best


def main():
    if sys.argv[1] == "--optimum":
        print(json.dumps({"optimum": optimum()}))
        return
    with open(sys.argv[1]) as handle:
        cfg = json.load(handle)
    print(f"config: {json.dumps(cfg)}")
    activations = allocate_activations(cfg["batch"], cfg["width"])
    print(f"activations: {len(activations) / 2**20:.1f} MiB")
    loss = val_loss(cfg["batch"], cfg["width"], cfg["lr"])
    for step in (0, 100, 200):
        print(f"step {step}: loss {loss + math.exp(-step / 80):.4f}")
    print(json.dumps({"val_loss": loss}))


if __name__ == "__main__":
    main()
