/**
 * npm run bench:overhead — the engine's own time per trial (everything but the phase
 * commands) on the golf recipe, slot utilisation with parallel: 2 on ~1 s trials, and
 * Optuna's own per-trial overhead with SQLite measured side by side (when installed).
 * Ends with one JSON line of figures.
 *
 *   npm run bench:overhead                          # the task's default sandbox (bwrap where it works)
 *   npm run bench:overhead -- --sandbox none        # the same with the sandbox off (compare the score phase)
 *   npm run bench:overhead -- --golf-only           # the golf figures only
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStudy } from '../src/engine/open-study.ts';
import type { TrialRecord } from '../src/core/trial.ts';
import { engineProfile } from '../src/evaluator/engine-profile.ts';
import { gitCallTally } from '../src/workspace/git.ts';

const ROOT = join(import.meta.dirname, '..');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function gitRepoFrom(source: string | null, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-bench-'));
  if (source) await cp(source, dir, { recursive: true, filter: (path) => !path.includes('.autolab') });
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'recipe');
  return dir;
}

async function runStudy(dir: string, trials: number): Promise<{ trials: TrialRecord[]; wallMs: number }> {
  const study = await openStudy(dir, { create: true });
  try {
    // Round robin, the chooser these figures were always measured with (study.run() defaults to the bandit, as autolab run does).
    const summary = await study.run({ trials, scheduler: 'round-robin' });
    return { trials: (await study.trials()).filter((trial) => trial.id !== 0), wallMs: summary.elapsedMs };
  } finally {
    await study.close();
  }
}

function engineMs(trial: TrialRecord): number {
  const t = trial.timings;
  return (t.proposeMs ?? 0) + (t.totalMs ?? 0) - (t.preflightMs ?? 0) - (t.runMs ?? 0) - (t.scoreMs ?? 0);
}

const golfTrials = Number(process.env.BENCH_GOLF_TRIALS ?? 16);
const sandboxFlag = process.argv.indexOf('--sandbox');
const sandbox = sandboxFlag === -1 ? null : process.argv[sandboxFlag + 1];
if (sandbox !== null && sandbox !== 'none' && sandbox !== 'bwrap') throw new Error(`--sandbox takes none or bwrap, not ${sandbox}`);
const golfOnly = process.argv.includes('--golf-only');
const fastTrials = Number(process.env.BENCH_FAST_TRIALS ?? 20);

console.log(`bench:overhead on ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, node ${process.version}`);

/**
 * Where the engine's time per trial goes (p50 of each phase, from the recorded timings)
 * and the git processes it started per trial, by subcommand.
 */
/** The parts of "other" (engine time outside materialise, legality, preflight, run and score: engine-profile.ts). */
const OTHER_PARTS = ['start', 'parent', 'stored', 'smoke', 'run.files', 'run.executor', 'run.curve', 'seal', 'score.files', 'score.executor', 'feedback', 'worktree.remove', 'gates'];

/** p50 over the trials of each part of "other", and what no part explains (the driver's other work, waiting for the event loop). */
function otherParts(trials: readonly TrialRecord[], parts: ReadonlyMap<number, Record<string, number>>): Record<string, number> {
  const of = (trial: TrialRecord) => parts.get(trial.id) ?? {};
  const p50 = (pick: (trial: TrialRecord) => number) => Number(percentile(trials.map(pick), 0.5).toFixed(1));
  const other = (trial: TrialRecord) => { const t = trial.timings; return (t.totalMs ?? 0) - (t.materialiseMs ?? 0) - (t.preflightMs ?? 0) - (t.runMs ?? 0) - (t.scoreMs ?? 0) - (t.recordMs ?? 0); };
  const named = Object.fromEntries(OTHER_PARTS.map((name) => [name, p50((trial) => of(trial)[name] ?? 0)]));
  const unattributed = p50((trial) => other(trial) - OTHER_PARTS.reduce((sum, name) => sum + (of(trial)[name] ?? 0), 0));
  // The materialise step's own parts (materialise.ts's laps), in the order they first appear.
  const steps = [...new Set(trials.flatMap((trial) => Object.keys(of(trial)).filter((name) => name.startsWith('materialise.'))))];
  const inside = Object.fromEntries(['worktree', 'materialise', ...steps, 'legality', 'preflight.executor'].map((name) => [name, p50((trial) => of(trial)[name] ?? 0)]));
  return { ...named, unattributed, ...Object.fromEntries(Object.entries(inside).map(([name, ms]) => [`(${name})`, ms])) };
}

function phaseProfile(trials: readonly TrialRecord[], git: Record<string, { calls: number; ms: number }>, parts: ReadonlyMap<number, Record<string, number>>) {
  const p50 = (pick: (t: TrialRecord['timings']) => number) => Math.round(percentile(trials.map((trial) => pick(trial.timings)), 0.5));
  const phases = {
    propose_ms: p50((t) => t.proposeMs ?? 0),
    materialise_ms: p50((t) => (t.materialiseMs ?? 0) - (t.legalityMs ?? 0)),
    legality_ms: p50((t) => t.legalityMs ?? 0),
    record_ms: p50((t) => t.recordMs ?? 0),
    // Start, the worktree's removal, environments, sealing the artifacts, repeats bookkeeping.
    other_ms: p50((t) => (t.totalMs ?? 0) - (t.materialiseMs ?? 0) - (t.preflightMs ?? 0) - (t.runMs ?? 0) - (t.scoreMs ?? 0) - (t.recordMs ?? 0)),
  };
  const perTrial = Object.fromEntries(
    Object.entries(git)
      .sort((a, b) => b[1].calls - a[1].calls)
      .map(([name, entry]) => [name, { calls: Number((entry.calls / trials.length).toFixed(2)), ms: Math.round(entry.ms / trials.length) }]),
  );
  const calls = Object.values(git).reduce((sum, entry) => sum + entry.calls, 0);
  return { phases, other_parts: otherParts(trials, parts), git_per_trial: Number((calls / trials.length).toFixed(2)), git_by_command: perTrial };
}

// 1. The golf recipe: engine time per trial.
const golfTask = readFileSync(join(ROOT, 'examples', 'golf', 'autolab.yaml'), 'utf8');
const golf = await gitRepoFrom(join(ROOT, 'examples', 'golf'), sandbox === null ? {} : { 'autolab.yaml': `${golfTask}sandbox: ${sandbox}\n` });
gitCallTally({ reset: true });
engineProfile({ enable: true, reset: true });
const golfRun = await runStudy(golf, golfTrials);
const golfProfile = phaseProfile(golfRun.trials, gitCallTally({ reset: true }), engineProfile({ enable: false, reset: true }));
const overheads = golfRun.trials.map(engineMs);
const golfFigures = {
  sandbox: sandbox ?? 'default',
  trials: golfRun.trials.length,
  engine_p50_ms: Math.round(percentile(overheads, 0.5)),
  engine_p95_ms: Math.round(percentile(overheads, 0.95)),
  materialise_p50_ms: Math.round(percentile(golfRun.trials.map((t) => t.timings.materialiseMs ?? 0), 0.5)),
  run_p50_ms: Math.round(percentile(golfRun.trials.map((t) => t.timings.runMs ?? 0), 0.5)),
  // The score phase as the trial sees it (sealing the artifacts is engine time; a sandboxed score's start is score time).
  score_p50_ms: Math.round(percentile(golfRun.trials.map((t) => t.timings.scoreMs ?? 0), 0.5)),
  score_p95_ms: Math.round(percentile(golfRun.trials.map((t) => t.timings.scoreMs ?? 0), 0.95)),
  engine_plus_score_p50_ms: Math.round(percentile(golfRun.trials.map((t) => engineMs(t) + (t.timings.scoreMs ?? 0)), 0.5)),
};
console.log(`golf: ${golfFigures.trials} trials; engine time per trial p50 ${golfFigures.engine_p50_ms} ms, p95 ${golfFigures.engine_p95_ms} ms (materialise p50 ${golfFigures.materialise_p50_ms} ms; the run itself p50 ${golfFigures.run_p50_ms} ms; the score p50 ${golfFigures.score_p50_ms} ms, p95 ${golfFigures.score_p95_ms} ms; engine + score p50 ${golfFigures.engine_plus_score_p50_ms} ms)`);
console.log(`golf profile (p50 per phase): ${Object.entries(golfProfile.phases).map(([k, v]) => `${k.replace('_ms', '')} ${v} ms`).join(', ')}; git processes per trial ${golfProfile.git_per_trial} (${Object.entries(golfProfile.git_by_command).map(([k, v]) => `${k} ${v.calls}`).join(', ')}; setup and baseline included)`);
console.log(`golf "other" by part (p50 ms; in parentheses: parts of materialise and preflight): ${Object.entries(golfProfile.other_parts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
await rm(golf, { recursive: true, force: true });

// 2. Slot utilisation: parallel 2, trials of about 1 s.
async function slotUtilisation() {
  const fast = await gitRepoFrom(null, {
    'autolab.yaml': [
      'name: util',
      'objective: { metric: loss, direction: minimize }',
      'run: { command: node train.js, timeout: 30s }',
      'score: { command: node score.js, timeout: 30s }',
      'protected: [score.js]',
      'surfaces: { s: { paths: [config.json], knobs: { x: { file: config.json, key: x, type: float, low: -10, high: 10 } } } }',
      'specialists: [{ name: tuner, kind: knobs, surface: s }]',
      'parallel: 2',
    ].join('\n'),
    'config.json': '{ "x": 0 }\n',
    'train.js': "const fs = require('fs'); const x = JSON.parse(fs.readFileSync('config.json')).x; setTimeout(() => fs.writeFileSync(process.env.AUTOLAB_ARTIFACTS + '/x.json', JSON.stringify(x)), 1000);\n",
    'score.js': "const x = JSON.parse(require('fs').readFileSync(process.env.AUTOLAB_ARTIFACTS + '/x.json')); console.log(JSON.stringify({ loss: (x - 3) ** 2 }));\n",
  });
  const fastRun = await runStudy(fast, fastTrials);
  const busyMs = fastRun.trials.reduce((sum, trial) => sum + (trial.timings.totalMs ?? 0), 0);
  const commandMs = fastRun.trials.reduce((sum, trial) => sum + (trial.timings.runMs ?? 0) + (trial.timings.scoreMs ?? 0), 0);
  const utilisation = busyMs / (2 * fastRun.wallMs);
  const commandShare = commandMs / (2 * fastRun.wallMs);
  const fastOverheads = fastRun.trials.map(engineMs);
  console.log(`utilisation: ${fastRun.trials.length} trials of ~1 s on 2 slots in ${(fastRun.wallMs / 1000).toFixed(1)} s; slots busy ${(100 * utilisation).toFixed(1)}%, running the run/score commands ${(100 * commandShare).toFixed(1)}%; engine p50 ${Math.round(percentile(fastOverheads, 0.5))} ms`);
  await rm(fast, { recursive: true, force: true });
  return { trials: fastRun.trials.length, wall_s: Number((fastRun.wallMs / 1000).toFixed(2)), slots_busy: Number(utilisation.toFixed(3)), commands_share: Number(commandShare.toFixed(3)), engine_p50_ms: Math.round(percentile(fastOverheads, 0.5)) };
}

// 3. Optuna beside it.
function optunaOverhead(): { p50_ms: number; p95_ms: number; mean_ms: number } | null {
  const python = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'optuna-overhead.py'), '200'], { encoding: 'utf8' });
  if (python.status !== 0) {
    console.log('optuna: not installed here (apt-get install python3-optuna); skipped');
    return null;
  }
  const optuna = JSON.parse(python.stdout.trim().split('\n').at(-1)!) as { p50_ms: number; p95_ms: number; mean_ms: number };
  console.log(`optuna 3 (SQLite, RandomSampler, trivial objective): p50 ${optuna.p50_ms.toFixed(1)} ms, p95 ${optuna.p95_ms.toFixed(1)} ms per trial`);
  console.log(`ratio autolab engine p50 / optuna p50: ${(golfFigures.engine_p50_ms / optuna.p50_ms).toFixed(2)}  (autolab also makes a git commit, a worktree and a legality check per trial)`);
  return optuna;
}

const utilisation = golfOnly ? null : await slotUtilisation();
const optuna = golfOnly ? null : optunaOverhead();
console.log(
  JSON.stringify({
    bench: 'overhead',
    golf: { ...golfFigures, profile: golfProfile },
    utilisation,
    optuna: optuna && { p50_ms: Number(optuna.p50_ms.toFixed(1)), p95_ms: Number(optuna.p95_ms.toFixed(1)) },
    ratio_engine_p50_vs_optuna_p50: optuna ? Number((golfFigures.engine_p50_ms / optuna.p50_ms).toFixed(2)) : null,
  }),
);
