/**
 * The recipe of `npm run bench:fidelity`, written into a fresh git folder per study: a
 * Python "training" whose CPU time is proportional to the level's scale and whose loss
 * follows a power law in the scale with configuration-dependent offset and amplitude, so
 * ranks mostly hold across scales but wider models and the `trick` rank differently at
 * small and full scale (the trick's gain shrinks and reverses). `trueLoss` is the same
 * function without noise, for the regret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchConfig {
  lr: number;
  width: number;
  reg: number;
  trick: number;
}

/** The noise-free loss of a configuration at a scale (1: full). Mirrors train.py. */
export function trueLoss(config: BenchConfig, scale: number): number {
  const offset = 1 + 0.3 * (Math.log10(config.lr) + 1.5) ** 2 + 0.2 * (config.reg - 0.3) ** 2 - 0.15 * config.width + 0.12 * config.trick;
  const amplitude = 0.3 + 0.1 * config.width - 0.1 * config.trick + 0.1 * config.reg;
  return offset + amplitude * scale ** -0.5;
}

/** The best full-scale loss over the search space (a fine grid; the optimum is smooth). */
export function optimumLoss(): number {
  let best = Infinity;
  for (let i = 0; i <= 60; i++) {
    const lr = 10 ** (-3 + (3 * i) / 60);
    for (let w = 0; w <= 20; w++) for (let r = 0; r <= 40; r++) for (const trick of [0, 1]) best = Math.min(best, trueLoss({ lr, width: w / 20, reg: r / 40, trick }, 1));
  }
  return best;
}

const TRAIN_PY = `# The bench recipe: CPU time proportional to the scale, loss a power law in it.
# Like real training it resumes from a checkpoint: on a continued ladder the run at a
# promoted level reads what it left below ($AUTOLAB_RESUME_FROM/model.json: the scale
# trained so far) and trains only the remaining steps.
import json, math, os, random, time
config = json.load(open("config.json"))
scale = float(os.environ.get("SCALE", "1"))
work = float(os.environ.get("BENCH_WORK_SECONDS", "0.3"))
done = 0.0
resume = os.environ.get("AUTOLAB_RESUME_FROM")
if resume and os.path.exists(os.path.join(resume, "model.json")):
    checkpoint = json.load(open(os.path.join(resume, "model.json")))
    if all(checkpoint.get(key) == value for key, value in config.items()) and checkpoint.get("trained_scale", 0) <= scale:
        done = float(checkpoint["trained_scale"])
start = time.process_time()
while time.process_time() - start < (scale - done) * work:
    pass
offset = 1 + 0.3 * (math.log10(config["lr"]) + 1.5) ** 2 + 0.2 * (config["reg"] - 0.3) ** 2 - 0.15 * config["width"] + 0.12 * config["trick"]
amplitude = 0.3 + 0.1 * config["width"] - 0.1 * config["trick"] + 0.1 * config["reg"]
rng = random.Random(hash((os.environ.get("AUTOLAB_SEED"), json.dumps(config, sort_keys=True), scale)) & 0xffffffff)
loss = offset + amplitude * scale ** -0.5 + 0.005 * rng.gauss(0, 1)
json.dump({"loss": loss, **config, "trained_scale": scale, "resumed_from": done}, open(os.path.join(os.environ["AUTOLAB_ARTIFACTS"], "model.json"), "w"))
`;

const SCORE_PY = `import json, os
model = json.load(open(os.path.join(os.environ["AUTOLAB_ARTIFACTS"], "model.json")))
print(json.dumps(model))
`;

/** The task file: a single full-scale run, or a ladder s/m/full with `rule` (`continued`: each level resumes from the one below). */
export function taskYaml(options: { seed: number; ladder: string | null; continued?: boolean; trials?: number; parallel: number }): string {
  const lines = [
    'name: bench-fidelity',
    'objective: { metric: loss, direction: minimize }',
    'run: { command: python3 -B train.py, timeout: 60s }',
    'score: { command: python3 -B score.py, timeout: 30s }',
    'protected: [score.py, autolab.yaml]',
    'sandbox: none',
    `seed: ${options.seed}`,
    `parallel: ${options.parallel}`,
    'env: { pass: [BENCH_WORK_SECONDS], set: { PYTHONHASHSEED: "0" } }',
    'surfaces:',
    '  recipe:',
    '    paths: [config.json]',
    '    knobs:',
    '      lr: { file: config.json, key: lr, type: float, low: 0.001, high: 1, log: true }',
    '      width: { file: config.json, key: width, type: float, low: 0, high: 1 }',
    '      reg: { file: config.json, key: reg, type: float, low: 0, high: 1 }',
    '      trick: { file: config.json, key: trick, type: categorical, choices: [0, 1] }',
    'specialists:',
    '  - { name: tuner, kind: knobs, surface: recipe }',
  ];
  if (options.trials !== undefined) lines.push(`budget: { trials: ${options.trials} }`);
  if (options.ladder !== null) {
    lines.push(
      'fidelity:',
      '  levels:',
      '    - { name: s, env: { SCALE: "0.1" }, scale: 0.1 }',
      '    - { name: m, env: { SCALE: "0.3" }, scale: 0.3 }',
      '    - { name: full, env: { SCALE: "1" }, scale: 1 }',
      `  promote: ${options.ladder}`,
    );
    if (options.continued === true) lines.push('  continue: true');
  }
  return lines.join('\n') + '\n';
}

/** A fresh git folder holding the recipe and its task file. */
export async function writeRecipe(task: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-bench-fidelity-'));
  await writeFile(join(dir, 'train.py'), TRAIN_PY);
  await writeFile(join(dir, 'score.py'), SCORE_PY);
  await writeFile(join(dir, 'config.json'), JSON.stringify({ lr: 0.3, width: 0.2, reg: 0.8, trick: 0 }, null, 2) + '\n');
  await writeFile(join(dir, 'autolab.yaml'), task);
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env });
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-qm', 'recipe'], { cwd: dir, env });
  return dir;
}
