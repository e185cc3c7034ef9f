"""Optimizers, schedules and precisions, with the combinations that do not work together."""

MOMENTUM = {"sgd": False, "momentum": True, "adam": False, "adamw": True, "lion": False}
HALF_SAFE = {"sgd": True, "momentum": False, "adam": True, "adamw": True, "lion": False}


class Optimizer:
    def __init__(self, name, lr, precision):
        self.name = name
        self.lr = lr
        if precision == "fp16" and not HALF_SAFE[name]:
            raise RuntimeError(f'"{name}_update_cuda" not implemented for \'Half\'')
        self.defaults = {"lr": lr, "momentum": 0.9} if MOMENTUM[name] else {"lr": lr}


def make_schedule(name, optimizer, total_steps):
    if name == "onecycle":
        if "momentum" not in optimizer.defaults:
            raise ValueError("optimizer must support momentum with `cycle_momentum` option enabled")
        return [optimizer.lr * min(1.0, 2 * step / total_steps) for step in range(total_steps)]
    if name == "cosine":
        return [optimizer.lr * 0.5 for _ in range(total_steps)]
    return [optimizer.lr for _ in range(total_steps)]
