"""Optuna (TPE + HyperbandPruner, or SuccessiveHalvingPruner with `sha` as 4th argument, over steps) on the bench recipe of bench/fidelity-recipe.ts:
each trial "trains" in 10 steps (step k is the model at scale k/10, costing 0.1 of a full
run's CPU) and reports its loss; the pruner stops losing trials within their run. Stops at
the CPU budget (in full-run units). Prints one JSON line per finished trial."""
import json, math, random, sys, time
import optuna

seed, budget, work = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
pruner_kind = sys.argv[4] if len(sys.argv) > 4 else "hyperband"
optuna.logging.set_verbosity(optuna.logging.WARNING)
used = {"units": 0.0, "cpu": 0.0}

def loss(c, scale, rng):
    offset = 1 + 0.3 * (math.log10(c["lr"]) + 1.5) ** 2 + 0.2 * (c["reg"] - 0.3) ** 2 - 0.15 * c["width"] + 0.12 * c["trick"]
    amplitude = 0.3 + 0.1 * c["width"] - 0.1 * c["trick"] + 0.1 * c["reg"]
    return offset + amplitude * scale ** -0.5 + 0.005 * rng.gauss(0, 1)

def objective(trial):
    c = {"lr": trial.suggest_float("lr", 1e-3, 1, log=True), "width": trial.suggest_float("width", 0, 1),
         "reg": trial.suggest_float("reg", 0, 1), "trick": trial.suggest_categorical("trick", [0, 1])}
    rng = random.Random(seed * 100003 + trial.number)
    value = None
    for step in range(1, 11):
        start = time.process_time()
        while time.process_time() - start < 0.1 * work:
            pass
        used["cpu"] += time.process_time() - start
        used["units"] += 0.1
        value = loss(c, step / 10, rng)
        trial.report(value, step)
        if trial.should_prune():
            print(json.dumps({"state": "pruned", "config": c, "value": value, "cpu_s": used["cpu"], "units": used["units"]}), flush=True)
            raise optuna.TrialPruned()
    print(json.dumps({"state": "complete", "config": c, "value": value, "cpu_s": used["cpu"], "units": used["units"]}), flush=True)
    return value

def stop_at_budget(study, _trial):
    if used["units"] >= budget:
        study.stop()

pruner = (optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3) if pruner_kind == "sha"
          else optuna.pruners.HyperbandPruner(min_resource=1, max_resource=10, reduction_factor=3))
study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)
study.optimize(objective, callbacks=[stop_at_budget])
