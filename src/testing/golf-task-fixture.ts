/** The golf-shaped task file the tests load and mutate. Test support only. */
export const GOLF_TASK_YAML = `name: golf
repo: .
baseline: HEAD
setup: node prepare.js
objective: { metric: val_bpb, direction: minimize }
preflight: { command: node --check train.js, timeout: 10s }
run:   { command: node train.js, timeout: 90s, output_cap: 10MB, memory: 4GB }
score: { command: node score.js, timeout: 30s }
legality: { command: node legal.js, timeout: 1m }
protected: [score.js, prepare.js]
gates: ["artifact_bytes <= 65536", "accuracy >= 0.96"]
surfaces:
  hyper:
    paths: [config.json, train.js]
    knobs:
      lr:    { file: config.json, key: lr, type: float, low: 1e-4, high: 1, log: true }
      width: { file: train.js, marker: width, type: int, low: 8, high: 256 }
      act:   { file: config.json, key: model.act, type: categorical, choices: [relu, tanh] }
specialists:
  - { name: tuner, kind: knobs, surface: hyper }
  - { name: agent, kind: llm, surface: hyper, role: optimizer, model: gpt-x, max_steps: 12 }
parallel: 2
gpus: [0, "1"]
budget: { trials: 40, hours: 8, patience: 20 }
limits: { max_diff_bytes: 1MB, max_file_bytes: 5MB, max_artifact_bytes: 1GB }
acceptance: { rule: better, margin: 0 }
seed: 0
env: { pass: [HF_HOME], set: { OMP_NUM_THREADS: "1" } }
`;
