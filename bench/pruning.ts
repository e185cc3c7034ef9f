/**
 * npm run bench:pruning — the same knobs search on a recipe with learning curves, under
 * the same wall-clock budget, without a pruner and with each pruner, side by side in one
 * run: trials per CPU-hour of runs and the final best. Ends with one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStudy } from '../src/engine/open-study.ts';

const SECONDS = Number(process.env.BENCH_PRUNING_SECONDS ?? 45);
const STEPS = 30;
const STEP_MS = Number(process.env.BENCH_PRUNING_STEP_MS ?? 40);

const TRAIN = `// A model whose final loss depends on lr and width; it reports a learning curve.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
const config = JSON.parse(readFileSync('config.json', 'utf8'));
const width = 16; // autolab: width
const final = 1 + 0.5 * (Math.log10(config.lr) + 2) ** 2 + 0.1 * (Math.log2(width) - 6) ** 2;
const steps = ${STEPS};
for (let step = 1; step <= steps; step++) {
  const value = final + 3 * (Math.pow(step, -0.7) - Math.pow(steps, -0.7));
  appendFileSync(process.env.AUTOLAB_METRICS_FILE, JSON.stringify({ step, loss: value }) + '\\n');
  await new Promise((resolve) => setTimeout(resolve, ${STEP_MS}));
}
writeFileSync(process.env.AUTOLAB_ARTIFACTS + '/final.json', JSON.stringify({ final }));
`;
const SCORE = `import { readFileSync } from 'node:fs';
console.log(JSON.stringify({ loss: JSON.parse(readFileSync(process.env.AUTOLAB_ARTIFACTS + '/final.json', 'utf8')).final }));
`;

function task(pruner: string): string {
  return [
    'name: curves',
    'objective: { metric: loss, direction: minimize }',
    'run: { command: node train.js, timeout: 60s }',
    'score: { command: node score.js, timeout: 30s }',
    'protected: [score.js, autolab.yaml]',
    'surfaces:',
    '  s:',
    '    paths: [config.json, train.js]',
    '    knobs:',
    '      lr: { file: config.json, key: lr, type: float, low: 1e-5, high: 1, log: true }',
    '      width: { file: train.js, marker: width, type: int, low: 4, high: 1024, log: true }',
    'specialists: [{ name: tuner, kind: knobs, surface: s }]',
    'parallel: 2',
    pruner,
  ].join('\n');
}

const variants: Array<[string, string]> = [
  ['none', ''],
  ['median', 'pruner: { kind: median, warmup_steps: 5, min_trials: 4 }'],
  ['asha', 'pruner: { kind: asha, min_step: 4, reduction: 3, min_trials: 2 }'],
  ['curve', 'pruner: { kind: curve, warmup_steps: 6, min_trials: 4, confidence: 0.95 }'],
];

console.log(`bench:pruning: ${SECONDS} s of wall time per variant, parallel 2, runs of ${STEPS} steps × ${STEP_MS} ms (~${((STEPS * STEP_MS) / 1000).toFixed(1)} s), random knobs search with the same seed`);
const results: Record<string, { trials: number; pruned: number; run_cpu_s: number; trials_per_cpu_hour: number; best: number | null; saved_s: number }> = {};
for (const [name, pruner] of variants) {
  const dir = await mkdtemp(join(tmpdir(), `autolab-pruning-${name}-`));
  await writeFile(join(dir, 'autolab.yaml'), task(pruner));
  await writeFile(join(dir, 'train.js'), TRAIN);
  await writeFile(join(dir, 'score.js'), SCORE);
  await writeFile(join(dir, 'config.json'), '{ "lr": 0.3 }\n');
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'recipe');
  const study = await openStudy(dir, { create: true });
  try {
    await study.run({ hours: SECONDS / 3600, scheduler: 'round-robin' });
    const trials = (await study.trials()).filter((trial) => trial.id !== 0);
    const runSeconds = trials.reduce((sum, trial) => sum + (trial.timings.runMs ?? 0) / 1000, 0);
    const best = (await study.incumbent())?.score ?? null;
    results[name] = {
      trials: trials.length,
      pruned: trials.filter((trial) => trial.label === 'pruned').length,
      run_cpu_s: Number(runSeconds.toFixed(1)),
      trials_per_cpu_hour: Math.round(trials.length / (runSeconds / 3600)),
      best: best === null ? null : Number(best.toFixed(4)),
      saved_s: Number(trials.reduce((sum, trial) => sum + (trial.metrics.pruned_saved_seconds ?? 0), 0).toFixed(1)),
    };
    const r = results[name]!;
    console.log(`${name.padEnd(7)} trials ${String(r.trials).padStart(3)} (pruned ${String(r.pruned).padStart(3)})  run time ${r.run_cpu_s.toFixed(1).padStart(6)} s  trials/CPU-hour ${String(r.trials_per_cpu_hour).padStart(6)}  best loss ${r.best}  saved ${r.saved_s} s`);
  } finally {
    await study.close();
    await rm(dir, { recursive: true, force: true });
  }
}
const base = results.none!;
const ratios = Object.fromEntries(Object.entries(results).filter(([name]) => name !== 'none').map(([name, r]) => [name, Number((r.trials_per_cpu_hour / base.trials_per_cpu_hour).toFixed(2))]));
for (const [name, ratio] of Object.entries(ratios)) console.log(`${name}: ${ratio}x the trials per CPU-hour of no pruner; best ${results[name]!.best} vs ${base.best}`);
console.log(JSON.stringify({ bench: 'pruning', seconds_per_variant: SECONDS, results, throughput_ratio_vs_none: ratios }));
