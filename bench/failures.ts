/**
 * npm run bench:failures — learning from failures: autolab's default knobs specialist
 * (`sampler: auto`) against Optuna's TPE, side by side, on recipes with hidden
 * feasibility constraints (bench/failures-recipes.ts: an int lattice, a memory ceiling on
 * a product of knobs, categorical pairs that never work together, a learning-rate edge
 * of divergence, a checkpoint size gate). Every trial of both is a real process: the
 * recipe's train.py, which crashes with a real traceback, runs out of memory under the
 * run's cap, or misses the gate.
 *
 * autolab's side drives the knobs specialist's own `propose` with the trial records a
 * study would store (label, detail and log excerpt from autolab's executor and
 * `classifyOutcome`; bench/failures-study.ts), without git worktrees or the store.
 * Optuna (Debian python3-optuna) runs bench/failures-optuna.py with the same spaces,
 * baseline, processes and gates; failed trials raise (Optuna records FAIL).
 *
 * Figures per recipe and column: crash share (failed trials / proposals, the baseline not
 * counted) and the regret (best passing val_loss - the best over the feasible space,
 * from `train.py --optimum`), median and quartiles over seeds. Columns: autolab (auto),
 * optuna (TPE), and as extras optuna-constraints (TPESampler(constraints_func) with failed
 * trials completed as infeasible), autolab-blind (learn_failures: false, the control arm)
 * and autolab-declared (the constraint declared in `constraints:`). Ends with one JSON line.
 *
 * Options: --seeds N (10), --trials N (30), --recipes a,b, --columns a,b,
 * --python PATH (/usr/bin/python3 or $AUTOLAB_PYTHON).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../src/executors/local/local-executor.ts';
import { FAILURE_RECIPES, type FailureRecipe } from './failures-recipes.ts';
import { PYTHON, runAutolabStudy } from './failures-study.ts';
import { runPython } from './lib/run-python.ts';
import { quantile } from './lib/stats.ts';

const ROOT = join(import.meta.dirname, '..');
const COLUMNS = ['autolab', 'optuna', 'optuna-constraints', 'autolab-blind', 'autolab-declared'] as const;
type Column = (typeof COLUMNS)[number];

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const seeds = Number(argument('seeds') ?? 10);
const trials = Number(argument('trials') ?? 30);
const recipes = (argument('recipes')?.split(',') ?? FAILURE_RECIPES.map((recipe) => recipe.name)).map((name) => {
  const recipe = FAILURE_RECIPES.find((candidate) => candidate.name === name);
  if (!recipe) throw new Error(`unknown recipe ${name}; use ${FAILURE_RECIPES.map((candidate) => candidate.name).join(', ')}`);
  return recipe;
});
const columns = (argument('columns')?.split(',') ?? [...COLUMNS]) as Column[];
for (const column of columns) if (!COLUMNS.includes(column)) throw new Error(`unknown column ${column}; use ${COLUMNS.join(', ')}`);
const python = argument('python') ?? PYTHON;


interface Run {
  seed: number;
  best: number;
  failed: number;
  proposals: number;
}

interface OptunaOutput {
  optuna: string;
  runs: Run[];
}


async function optimumOf(recipe: FailureRecipe, executor: LocalExecutor, work: string): Promise<number> {
  const result = await executor.run({
    command: `exec ${python} ${join(recipe.dir, 'train.py')} --optimum`,
    cwd: work,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 600_000,
    outputCapBytes: 1 << 20,
    logFile: join(work, `${recipe.name}-optimum.log`),
    ...(recipe.memoryBytes !== undefined ? { memoryBytes: recipe.memoryBytes } : {}),
  });
  if (result.exitCode !== 0) throw new Error(`${recipe.name} --optimum failed: ${result.outputTail}`);
  return (JSON.parse(result.stdoutTail.trim().split('\n').pop() ?? '') as { optimum: number }).optimum;
}

async function runOptuna(recipe: FailureRecipe, constraints: boolean, work: string): Promise<OptunaOutput> {
  const jobFile = join(work, `${recipe.name}-${constraints ? 'constraints' : 'plain'}.json`);
  const job = { recipe, seeds: Array.from({ length: seeds }, (_, seed) => seed), trials, constraints, python, work };
  await writeFile(jobFile, JSON.stringify(job));
  const stdout = await runPython(python, [join(ROOT, 'bench', 'failures-optuna.py'), jobFile]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as OptunaOutput;
}

const started = performance.now();
const work = await mkdtemp(join(tmpdir(), 'autolab-bench-failures-'));
const executor = new LocalExecutor();
console.log(`bench:failures: ${recipes.length} recipes, ${trials} trials after the baseline, ${seeds} seeds; columns ${columns.join(', ')}; node ${process.version}, ${cpus().length} cores`);

const optima = new Map<string, number>();
for (const recipe of recipes) optima.set(recipe.name, await optimumOf(recipe, executor, work));

// Optuna runs in subprocesses (one at a time, beside autolab's searches).
let optunaVersion = 'unavailable';
let optunaError: string | null = null;
const optunaJobs = new Map<string, Promise<OptunaOutput>>();
const queue: Array<() => Promise<void>> = [];
for (const recipe of recipes) {
  for (const constraints of [false, true]) {
    if (!columns.includes(constraints ? 'optuna-constraints' : 'optuna')) continue;
    let resolveJob!: (value: OptunaOutput) => void;
    let rejectJob!: (error: unknown) => void;
    const promise = new Promise<OptunaOutput>((resolve, reject) => ((resolveJob = resolve), (rejectJob = reject)));
    promise.catch(() => undefined);
    optunaJobs.set(`${recipe.name}:${constraints}`, promise);
    queue.push(() => runOptuna(recipe, constraints, work).then(resolveJob, rejectJob));
  }
}
const lanes = Array.from({ length: Math.max(1, Math.min(2, cpus().length - 1)) }, async () => {
  for (let next = queue.shift(); next; next = queue.shift()) await next();
});

const results: Record<string, Partial<Record<Column, Run[]>>> = {};
const learnedNotes: Record<string, string | null> = {};
const proposeMs: Record<string, number> = {};
for (const recipe of recipes) {
  results[recipe.name] = {};
  for (const column of columns.filter((name) => name.startsWith('autolab'))) {
    const runs: Run[] = [];
    let ms = 0;
    for (let seed = 0; seed < seeds; seed += 1) {
      const result = await runAutolabStudy(recipe, seed, trials, { sampler: 'auto', learn: column !== 'autolab-blind', declared: column === 'autolab-declared', workDir: work, executor });
      runs.push({ seed, best: result.best, failed: result.failed, proposals: result.proposals });
      ms += result.proposeMs;
      if (column === 'autolab' && seed === 0) learnedNotes[recipe.name] = result.learned;
    }
    results[recipe.name]![column] = runs;
    proposeMs[`${recipe.name}:${column}`] = ms / seeds;
    process.stdout.write(`  ${recipe.name} ${column} done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}
await Promise.all(lanes);
for (const recipe of recipes) {
  for (const constraints of [false, true]) {
    const job = optunaJobs.get(`${recipe.name}:${constraints}`);
    if (job === undefined) continue;
    try {
      const output = await job;
      optunaVersion = output.optuna;
      results[recipe.name]![constraints ? 'optuna-constraints' : 'optuna'] = output.runs;
    } catch (error) {
      optunaError = String(error instanceof Error ? error.message : error);
    }
  }
}
await rm(work, { recursive: true, force: true });

// The table and the figures.
const format = (value: number): string => (!Number.isFinite(value) ? '-' : Math.abs(value) >= 0.01 || value === 0 ? value.toFixed(4) : value.toExponential(2));
const header = ['recipe', 'column', 'crash share', 'regret median', 'q1', 'q3', 'ms/proposal'];
const rows: string[][] = [];
const figures: Record<string, unknown> = {};
let goalMet = optunaError === null && columns.includes('autolab') && columns.includes('optuna');
for (const recipe of recipes) {
  const optimum = optima.get(recipe.name) as number;
  const crash: Record<string, number> = {};
  const regret: Record<string, number> = {};
  const quartiles: Record<string, [number, number]> = {};
  for (const column of columns) {
    const runs = results[recipe.name]![column];
    if (runs === undefined) continue;
    const key = column.replace('-', '_');
    const share = runs.reduce((sum, run) => sum + run.failed, 0) / runs.reduce((sum, run) => sum + run.proposals, 0);
    const regrets = runs.map((run) => Math.max(0, run.best - optimum));
    crash[key] = share;
    regret[key] = quantile(regrets, 0.5);
    quartiles[key] = [quantile(regrets, 0.25), quantile(regrets, 0.75)];
    const ms = proposeMs[`${recipe.name}:${column}`];
    rows.push([recipe.name, column, share.toFixed(3), format(regret[key] as number), format(quartiles[key]![0]), format(quartiles[key]![1]), ms === undefined ? '-' : ms.toFixed(1)]);
  }
  const crashGoal = crash.autolab !== undefined && crash.optuna !== undefined && crash.autolab <= crash.optuna / 3;
  const regretGoal = regret.autolab !== undefined && regret.optuna !== undefined && regret.autolab <= regret.optuna;
  if (!crashGoal || !regretGoal) goalMet = false;
  figures[recipe.name] = { constraint: recipe.constraint, optimum, crash_share: crash, median_regret: regret, regret_quartiles: quartiles, learned: learnedNotes[recipe.name] ?? null, goal: { crash_share_at_most_a_third: crashGoal, regret_no_worse: regretGoal } };
  rows.push([]);
}
const widths = header.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)));
const line = (cells: string[]) => cells.map((cell, index) => (index < 2 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
console.log('');
console.log(`Crash share (failed trials / ${trials} proposals, any label: crash, oom, gate_miss) and regret (best passing val_loss - feasible optimum), ${seeds} seeds.`);
console.log(line(header));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows) console.log(row.length === 0 ? '' : line(row));
for (const recipe of recipes) console.log(`${recipe.name}: ${recipe.constraint}; learned (seed 0): ${learnedNotes[recipe.name] ?? '-'}`);
console.log(
  optunaError !== null
    ? `Optuna could not run (${optunaError}); only autolab's figures are shown`
    : `goal (autolab crash share at most a third of Optuna TPE's and median regret no worse, on every recipe): ${goalMet ? 'met' : 'NOT met'}`,
);
console.log(`optuna ${optunaVersion}; wall ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(JSON.stringify({ bench: 'failures', trials, seeds, optuna: optunaVersion, optuna_error: optunaError, recipes: figures, goal: { met: goalMet } }));
