/**
 * One or more YAML examples per top-level key of the task file, shown in
 * `docs/task-file.md`. A test merges each over a minimal valid task and checks it against
 * the schema, and checks that every key of the schema appears in some example, so the
 * examples cannot drift from what `loadTaskFile` accepts.
 */
export const TASK_FILE_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  $schema: ['# yaml-language-server: $schema=./autolab.schema.json   (or the key itself:)\n$schema: ./autolab.schema.json'],
  name: ['name: golf'],
  repo: ['repo: ../my-recipe      # the recipe folder, relative to this file'],
  baseline: ['baseline: v1.2          # a tag, branch or commit of the recipe repo'],
  setup: ['setup: python3 prepare.py', 'setup: { command: python3 prepare.py --download, timeout: 30m }'],
  objective: ['objective: { metric: val_loss, direction: minimize }'],
  objectives: [
    [
      'objectives:                # several at once: the study keeps a Pareto front',
      '  - { metric: val_loss, direction: minimize, margin: 0.001, reference: 3.0 }',
      '  - { metric: artifact_bytes, direction: minimize, reference: 16e6 }',
    ].join('\n'),
  ],
  preference: [
    'objectives:\n  - { metric: val_loss, direction: minimize }\n  - { metric: seconds, direction: minimize }\npreference: { weights: { val_loss: 3, seconds: 1 } }',
    'objectives:\n  - { metric: val_loss, direction: minimize }\n  - { metric: seconds, direction: minimize }\npreference: { target: { val_loss: 2.5, seconds: 60 } }   # the member nearest this point',
  ],
  near_duplicates: ['near_duplicates: 0.95    # an agent\'s edit this similar to an earlier one is a duplicate'],
  preflight: ['preflight: { command: python3 -m py_compile train.py, timeout: 1m }'],
  smoke: [
    'smoke: { timeout: 30s }   # the run command with AUTOLAB_SMOKE=1, killed at 30s; failure: smoke_failed',
    'smoke: { command: python3 train.py --steps 5, timeout: 1m }',
    'smoke: python3 train.py --steps 5',
    'smoke: { timeout: 30s, gates: ["artifact_bytes <= 16e6"] }   # also score the smoke run\'s artifacts for this gate',
  ],
  run: ['run:\n  command: python3 train.py\n  timeout: 10m\n  output_cap: 10MiB\n  memory: 16GB\n  max_processes: 256\n  max_file_size: 2GiB'],
  score: ['score: python3 score.py', 'score: { command: node score.js, timeout: 30s }'],
  legality: ['legality: { command: python3 check_rules.py, timeout: 1m }'],
  protected: ['protected: [score.py, prepare.py, autolab.yaml, "data/**"]'],
  gates: ['gates: ["artifact_bytes <= 16e6", "accuracy >= 0.96"]'],
  surfaces: [
    [
      'surfaces:',
      '  hyper:',
      '    paths: [config.json, train.py]',
      '    knobs:',
      '      lr:    { file: config.json, key: optimizer.lr, type: float, low: 1e-4, high: 1e-1, log: true }',
      '      width: { file: train.py, marker: width, type: int, low: 64, high: 1024, step: 64 }',
      '      heads: { file: train.py, marker: heads, type: int, low: 1, high: 16 }',
      '      act:   { file: train.py, marker: act, type: categorical, choices: [relu, gelu] }',
      '    constraints: ["width % heads == 0"]   # never proposed otherwise',
      '# train.py then carries the markers on the lines of the values:',
      '#   width = 256              # autolab: width',
      '#   heads = 4                # autolab: heads',
      "#   act = 'relu'             # autolab: act   (categorical strings: the first quoted string on the line)",
    ].join('\n'),
  ],
  specialists: [
    [
      'specialists:',
      '  - { name: tuner, kind: knobs, surface: hyper }',
      '  - name: optimizer-agent',
      '    kind: llm',
      '    surface: hyper',
      '    role: optimizer',
      '    model: openai-compatible:qwen2.5-coder',
      '    base_url: http://127.0.0.1:8000/v1',
      '    api_key_env: LOCAL_LLM_KEY',
      '    knowledge: [notes/what-we-know.md]',
      '    library: notes/techniques',
      '    max_steps: 30',
      '    max_tokens: 1000000',
      '    wall_time: 20m',
      '    parents: { strategy: islands, islands: 4, migration: 5 }   # or incumbent (default), front, { strategy: tournament, size: 3 },',
      '                                                             # or { strategy: map_elites, bins: { run_seconds: [10, 30] } }',
      "  - { name: my-cli-agent, kind: command, surface: hyper, command: 'my-agent --prompt-file {prompt_file}', timeout: 20m }",
    ].join('\n'),
  ],
  parallel: ['parallel: 4'],
  gpus: ['gpus: [0, 1, 2, 3]      # one per slot, as CUDA_VISIBLE_DEVICES'],
  executor: [
    'executor: { kind: local }',
    [
      'executor:',
      '  kind: slurm',
      '  partition: gpu',
      '  account: my-lab',
      '  gpus_per_trial: 1',
      '  cpus_per_trial: 8',
      '  mem: 64GB',
      '  time_limit: 2h',
      '  extra_args: ["--qos=high"]',
      '  poll_interval: 10s',
      '  shared_dir: /shared/me',
      '  phases: [preflight, run]',
    ].join('\n'),
    [
      'executor:',
      '  kind: slurm',
      '  gpus: a100:1',
      '  nodes: 1',
      '  ntasks: 2',
      '  ntasks_per_node: 2',
      '  launch: srun',
      '  phases: [run, score]',
      '  by_phase: { score: { gpus: 1, time_limit: 30m } }',
      '  prologue: ["module load cuda/12.1"]',
      '  requeue: true',
      '  signal: { name: USR1, before: 5m }',
      '  scratch: /local/scratch',
      '  array_repeats: true',
      '  container: { image: /shared/images/torch.sif, engine: apptainer, binds: ["/datasets:/datasets:ro"], gpu: true, phases: [run, score], extra_args: ["--writable-tmpfs"] }',
    ].join('\n'),
    'executor: { kind: local, container: { image: localhost/recipe:1, engine: podman } }',
  ],
  budget: ['budget: { trials: 50, hours: 8, patience: 20, usd: 25 }'],
  prices: ['prices:\n  "openai-compatible:qwen2.5-coder": { input: 0, output: 0 }\n  "anthropic:claude-sonnet-4-5": { input: 3, output: 15, cached: 0.3, cache_write: 3.75 }'],
  limits: ['limits: { max_diff_bytes: 1MB, max_file_bytes: 5MB, max_artifact_bytes: 1GB }'],
  acceptance: ['acceptance: { rule: better, margin: 0.001 }', 'acceptance: { rule: welch, alpha: 0.01, min_effect: 0.002, verify: 3 }'],
  repeats: ['repeats: 3'],
  calibration: ['calibration: 8'],
  pruner: [
    'pruner: { kind: median, metric: val_loss, direction: minimize, warmup_steps: 100, min_trials: 5 }',
    'pruner: { kind: asha, min_step: 100, reduction: 3 }',
    'pruner: { kind: curve, confidence: 0.95, final_step: 2000 }',
  ],
  fidelity: [
    [
      'fidelity:',
      '  levels:                   # cheapest first; the last is the real task (only it makes incumbents)',
      '    - { name: s, env: { STEPS: "200", WIDTH: "64" }, timeout: 2m, scale: 0.1 }',
      '    - { name: m, env: { STEPS: "600", WIDTH: "128" }, timeout: 6m, scale: 0.3 }',
      '    - { name: full, timeout: 20m, resources: { memory: 32GB, max_processes: 512 } }   # scale: 1 (timeout over the last level\'s)',
      '  promote: { rule: successive_halving, eta: 3 }   # the run sees AUTOLAB_FIDELITY=s|m|full',
    ].join('\n'),
    'fidelity:\n  levels: [{ name: small, env: { SCALE: "0.25" }, scale: 0.25 }, { name: full, scale: 1 }]\n  promote: { rule: top_k, k: 2, min_rung: 5 }   # nothing climbs from small before it holds 5 results',
    'fidelity:\n  levels: [{ name: s, timeout: 1m }, { name: m, timeout: 3m }, { name: full, timeout: 10m }]\n  promote: { rule: predicted, eta: 3, confidence: 0.8 }',
    'fidelity:\n  levels: [{ name: s, env: { STEPS: "200" }, scale: 0.1 }, { name: full, env: { STEPS: "2000" }, scale: 1 }]\n  promote: { rule: gain_per_cost, eta: 3 }\n  continue: true   # the run at full resumes from its checkpoint at s ($AUTOLAB_RESUME_FROM)',
    [
      'parallel: 4',
      'executor: { kind: slurm, partition: gpu, gpus: 1, mem: 16GB }',
      'fidelity:',
      '  levels:',
      '    - { name: s, env: { STEPS: "200" }, timeout: 5m }',
      '    - { name: full, timeout: 2h, slots: 2, executor: { gpus: 2, mem: 64GB } }   # two of the 4 slots; --gres=gpu:2 --mem=64GB',
    ].join('\n'),
  ],
  sandbox: ['sandbox: bwrap'],
  expose: ['expose: [~/.cache/torch, /datasets/imagenet]'],
  seed: ['seed: 1234'],
  feedback: [
    'feedback:\n  files: [warnings.log, layer_times.json]   # left by the run in its worktree or $AUTOLAB_ARTIFACTS\n  profile: { command: "python3 -m cProfile -s cumtime train.py --steps 50 | head -40", timeout: 2m }\n  max_chars: 2000',
    'feedback: { profile: "py-spy record --format raw -o profile.txt -- python3 train.py --steps 20", files: [profile.txt] }',
  ],
  memory: ['memory: { use: true }         # warm-start from earlier studies of this store (docs/memory.md)', 'memory: { use: true, write: true, path: ../shared/autolab-memory.db }'],
  env: ['env:\n  pass: [HF_HOME, WANDB_API_KEY]\n  set: { OMP_NUM_THREADS: "1" }'],
};

/** The smallest valid task the examples are merged over when they are checked. */
export const MINIMAL_TASK_YAML = `name: example
objective: { metric: val_loss, direction: minimize }
run: { command: python3 train.py, timeout: 10m }
score: python3 score.py
surfaces:
  hyper:
    paths: [config.json, train.py]
    knobs:
      lr: { file: config.json, key: lr, type: float, low: 1.0e-4, high: 1, log: true }
`;
