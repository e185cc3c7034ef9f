import { NAME_PATTERN } from './schema.ts';

/** Options of `initTemplate`. */
export interface InitTemplateOptions {
  /** Task name; characters outside `[A-Za-z0-9._-]` become `-`. */
  name: string;
  /** When given, a first line `# yaml-language-server: $schema=<url>` lets editors validate and complete the file. */
  schemaUrl?: string;
}

/** Makes any text a valid task name (`My Project` -> `My-Project`). */
function taskName(name: string): string {
  const cleaned = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return NAME_PATTERN.test(cleaned) ? cleaned : 'my-task';
}

/**
 * A commented `autolab.yaml` explaining every key. As written it loads without errors
 * (placeholder commands `python train.py` / `python score.py`); the user replaces the
 * commands, paths and metric with those of their recipe and adds specialists.
 *
 * @example writeFileSync('autolab.yaml', initTemplate({ name: basename(process.cwd()) }));
 */
export function initTemplate(options: InitTemplateOptions): string {
  const modeline = options.schemaUrl ? `# yaml-language-server: $schema=${options.schemaUrl}\n` : '';
  return `${modeline}# autolab task file: what is optimised and how each trial is judged.
# Durations: 90s, 10m, 1.5h, 1h30m, 500ms, or a number of seconds.
# Sizes: 10MB, 512KiB, 1GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024), or a number of bytes.
# Paths and globs are relative to the recipe repo; commands run in a private copy of it.

# Name of the task: letters, digits, ".", "_" and "-".
name: ${taskName(options.name)}

# The recipe repo (a git work tree or a plain folder), relative to this file.
# autolab never writes to it: it works on its own copy under .autolab/.
repo: .

# Git revision of the recipe to start from; the baseline (trial 0) measures it unchanged.
baseline: HEAD

# Optional: run once per study before the baseline, e.g. to download or prepare data.
# A command, or { command, timeout } (default timeout 10m).
# setup: { command: python prepare.py, timeout: 30m }

# The metric the score command prints, and whether lower or higher is better.
objective:
  metric: val_loss
  direction: minimize        # minimize | maximize

# Optional: a cheap check before the run (syntax check); failure: preflight_failed.
# preflight: { command: python -m py_compile train.py, timeout: 1m }

# Optional: a smoke run before the full run, to catch crashes, OOMs and timeouts in
# seconds instead of spending the whole budget. It is the run command with
# AUTOLAB_SMOKE=1 in its environment (make the recipe do a few steps when it is set),
# or its own command: smoke: { command: python train.py --steps 5, timeout: 1m }.
# A failure is labelled smoke_failed, with its failure signature, and is fed back to
# the specialists like any other failure; nothing the smoke run prints is scored.
# Gates a short run already decides (a size) are checked on its artifacts with gates:
# smoke: { timeout: 30s, gates: ["artifact_bytes <= 16e6"] }

# The run: your training or solver command, under a wall-clock budget (required)
# that kills its whole process group. It writes outputs to $AUTOLAB_ARTIFACTS.
run:
  command: python train.py
  timeout: 10m
  output_cap: 10MiB          # captured output beyond this is dropped (default 10MiB)
  # memory: 16GB             # memory limit where the OS allows (default: none)

# The evaluator-owned score command: it reads the run's artifacts and prints the metrics
# as JSON, e.g. {"val_loss": 3.21}. A number the run printed about itself is never the score.
# A command, or { command, timeout } (default timeout 10m).
score:
  command: python score.py
  timeout: 5m

# Optional: your own legality check, run in the trial's copy; a non-zero exit: illegal_edit.
# legality: { command: python check_rules.py, timeout: 1m }

# Evaluator-owned files and data no trial may change (globs). The score phase always
# uses the baseline's copy of them.
protected:
  - score.py

# Constraints on metrics every kept trial must meet: "<metric> <op> <number>",
# op one of <=, <, >=, >, ==, !=. Quote them.
# The baseline (trial 0, your recipe unchanged) must pass them too: when it misses a gate
# (or crashes, or prints no metric) the study stops right there and says what to fix.
# Run the recipe once by hand first and check its metrics against the gates.
gates: []
#  - "artifact_bytes <= 16e6"
#  - "accuracy >= 0.96"

# Named parts of the recipe a specialist may edit: files, folders or globs.
# Everything else is read-only to it.
surfaces:
  train:
    paths: [train.py]
    # Optional knobs for a "knobs" specialist. Locate each by key (a dotted key path in a
    # JSON or YAML file) or by marker (the literal on the line commented "autolab: <marker>").
    knobs: {}
    #  lr:    { file: train.py, marker: lr, type: float, low: 1e-4, high: 1e-1, log: true }
    #  width: { file: train.py, marker: width, type: int, low: 64, high: 1024 }
    #  act:   { file: train.py, marker: act, type: categorical, choices: [relu, gelu] }

# The proposers. Kinds: knobs (search the surface's knobs), llm (an LLM agent),
# command (an external coding agent CLI), combine (ports kept improvements onto the
# incumbent), ablate (removes parts of the incumbent diff). Keys other than name, kind,
# surface and role are options of that kind. \`autolab run\` needs at least one.
specialists: []
#  - { name: tuner, kind: knobs, surface: train }
#  - { name: optimizer-agent, kind: llm, surface: train, role: optimizer, model: anthropic:claude-sonnet-4-5 }
#  - { name: my-cli-agent, kind: command, surface: train, command: 'my-agent --prompt-file {prompt_file}', timeout: 20m }
# \`autolab init --specialists\` writes a starter team of llm specialists; \`--generalist\` a single one
# (docs/specialists.md).

# How many trials run at once, and the GPU ids handed to them round-robin as CUDA_VISIBLE_DEVICES.
parallel: 1
gpus: []

# When the study stops (any that is reached first). Without any, it runs until stopped.
budget:
  trials: 50                 # trials in the study, the baseline not counted
  hours: 8                   # hours of driving, across resumes
  patience: 20               # finished trials in a row without a new incumbent

# Size limits checked by the evaluator.
limits:
  max_diff_bytes: 1MB        # largest diff a trial may make
  max_file_bytes: 5MB        # largest file a trial may write
  max_artifact_bytes: 1GB    # largest total size of $AUTOLAB_ARTIFACTS

# How a trial becomes the incumbent: strictly better by more than margin (absolute).
acceptance:
  rule: better
  margin: 0

# Base seed; runs see it as AUTOLAB_SEED.
seed: 0

# The environment of every phase: variables passed through (besides a safe default list)
# and variables set.
env:
  pass: []                   # e.g. [HF_HOME, WANDB_API_KEY]
  set: {}                    # e.g. { OMP_NUM_THREADS: "1" }
`;
}
