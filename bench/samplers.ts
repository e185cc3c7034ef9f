/**
 * npm run bench:samplers — autolab's knobs samplers against Optuna's TPE, side by side,
 * on Branin, Rosenbrock 4-D, Hartmann 6-D and a mixed log/int/categorical surface:
 * sequential searches of 60 trials over several seeds, the regret (best found minus the
 * known optimum) as median and quartiles, and the ratio of medians (autolab / Optuna;
 * below 1 is better). autolab's searches go through the knobs specialist's own propose
 * (bench/samplers-study.ts); Optuna (Debian python3-optuna) runs as a Python subprocess
 * (bench/samplers-optuna.py) with the same functions. Ends with one JSON line of figures.
 *
 * Options: --seeds N (default 20), --trials N (default 60), --functions a,b,
 * --samplers tpe,cmaes,random (autolab's), --no-multivariate (skip Optuna multivariate),
 * --no-optuna (autolab only, e.g. to compare TPE and CMA-ES at larger budgets),
 * --python PATH (default /usr/bin/python3, or $AUTOLAB_PYTHON).
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BENCH_FUNCTIONS, type BenchFunction } from './samplers-functions.ts';
import { runSamplerStudy } from './samplers-study.ts';
import { lastJsonLine, runPython } from './lib/run-python.ts';
import { quantile } from './lib/stats.ts';

const ROOT = join(import.meta.dirname, '..');

/** The issue's reference figures: Optuna 3.1 TPE, 10 seeds, median regret at 60 trials. */
const ISSUE_REFERENCE: Record<string, number> = { branin: 0.106, rosenbrock4: 6.38, hartmann6: 0.547 };

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const seeds = Number(argument('seeds') ?? 20);
const trials = Number(argument('trials') ?? 60);
const functionNames = (argument('functions') ?? BENCH_FUNCTIONS.map((fn) => fn.name).join(',')).split(',');
const samplerNames = (argument('samplers') ?? 'tpe,cmaes,random').split(',');
const multivariate = !process.argv.includes('--no-multivariate');
const withOptuna = !process.argv.includes('--no-optuna');
const python = argument('python') ?? process.env.AUTOLAB_PYTHON ?? '/usr/bin/python3';
const functions = functionNames.map((name) => {
  const fn = BENCH_FUNCTIONS.find((candidate) => candidate.name === name);
  if (!fn) throw new Error(`unknown function ${name}; use ${BENCH_FUNCTIONS.map((candidate) => candidate.name).join(', ')}`);
  return fn;
});


interface Summary {
  median: number;
  q1: number;
  q3: number;
  runs: number;
  seconds: number;
}

function summarise(regrets: number[], seconds: number): Summary {
  return { median: quantile(regrets, 0.5), q1: quantile(regrets, 0.25), q3: quantile(regrets, 0.75), runs: regrets.length, seconds };
}

interface OptunaOutput {
  optuna: string;
  runs: Array<{ seed: number; regret: number; seconds: number }>;
}

function runOptuna(fn: BenchFunction, useMultivariate: boolean): Promise<OptunaOutput> {
  const args = [join(ROOT, 'bench', 'samplers-optuna.py'), fn.name, '--seeds', Array.from({ length: seeds }, (_, seed) => seed).join(','), '--trials', String(trials)];
  if (useMultivariate) args.push('--multivariate');
  return runPython(python, args).then((stdout) => lastJsonLine<OptunaOutput>(stdout));
}

const format = (value: number): string => (Math.abs(value) >= 100 ? value.toFixed(1) : Math.abs(value) >= 0.01 || value === 0 ? value.toFixed(4) : value.toExponential(2));

console.log(`bench:samplers: ${trials} sequential trials, ${seeds} seeds per function; node ${process.version}, ${cpus().length} cores`);
const started = performance.now();

// Optuna runs in subprocesses while autolab's searches run here.
const optunaJobs = new Map<string, Promise<OptunaOutput>>();
let optunaVersion = 'unavailable';
let optunaError: string | null = null;
const optunaSlots = Math.max(1, Math.min(2, cpus().length - 1));
const optunaQueue: Array<() => Promise<void>> = [];
for (const fn of withOptuna ? functions : []) {
  for (const useMultivariate of multivariate ? [false, true] : [false]) {
    const key = `${fn.name}:${useMultivariate ? 'mv' : 'uv'}`;
    let resolveJob!: (value: OptunaOutput) => void;
    let rejectJob!: (error: unknown) => void;
    optunaJobs.set(key, new Promise<OptunaOutput>((resolve, reject) => ((resolveJob = resolve), (rejectJob = reject))));
    optunaQueue.push(() => runOptuna(fn, useMultivariate).then(resolveJob, rejectJob));
  }
}
for (const job of optunaJobs.values()) job.catch(() => undefined);
const workers = Array.from({ length: optunaSlots }, async () => {
  for (let next = optunaQueue.shift(); next; next = optunaQueue.shift()) await next();
});

const results: Record<string, Record<string, Summary>> = {};
const proposeMs: Record<string, number> = {};
for (const fn of functions) {
  results[fn.name] = {};
  for (const sampler of samplerNames) {
    const t0 = performance.now();
    const regrets: number[] = [];
    let msTotal = 0;
    for (let seed = 0; seed < seeds; seed += 1) {
      const result = await runSamplerStudy(fn, sampler, seed, trials);
      regrets.push(result.regret);
      msTotal += result.proposeMs;
    }
    results[fn.name]![`autolab-${sampler}`] = summarise(regrets, (performance.now() - t0) / 1000);
    proposeMs[`${fn.name}:${sampler}`] = msTotal / seeds;
  }
}
await Promise.all(workers);
for (const fn of withOptuna ? functions : []) {
  for (const useMultivariate of multivariate ? [false, true] : [false]) {
    try {
      const output = await optunaJobs.get(`${fn.name}:${useMultivariate ? 'mv' : 'uv'}`)!;
      optunaVersion = output.optuna;
      results[fn.name]![useMultivariate ? 'optuna-tpe-multivariate' : 'optuna-tpe'] = summarise(
        output.runs.map((run) => run.regret),
        output.runs.reduce((sum, run) => sum + run.seconds, 0),
      );
    } catch (error) {
      optunaError = String(error instanceof Error ? error.message : error);
    }
  }
}

// The table.
const columns = ['function', 'sampler', 'median', 'q1', 'q3', 'ratio', 'ms/trial'];
const rows: string[][] = [];
const figures: Record<string, unknown> = {};
let noWorse = true;
let better = 0;
for (const fn of functions) {
  const byName = results[fn.name]!;
  const optuna = byName['optuna-tpe'];
  const entry: Record<string, unknown> = { optimum: fn.optimum };
  for (const [name, summary] of Object.entries(byName)) {
    const ratio = optuna ? summary.median / optuna.median : NaN;
    const sampler = name.replace('autolab-', '');
    const ms = name.startsWith('autolab-') ? proposeMs[`${fn.name}:${sampler}`] : (summary.seconds * 1000) / (summary.runs * trials);
    rows.push([fn.title, name, format(summary.median), format(summary.q1), format(summary.q3), Number.isFinite(ratio) ? ratio.toFixed(2) : '-', (ms ?? NaN).toFixed(1)]);
    entry[name] = { median: summary.median, q1: summary.q1, q3: summary.q3, ratio_vs_optuna_tpe: Number.isFinite(ratio) ? ratio : null, ms_per_trial: ms ?? null };
  }
  const ours = byName['autolab-tpe'] ?? byName[`autolab-${samplerNames[0]}`];
  if (ours && optuna) {
    const ratio = ours.median / optuna.median;
    entry.ratio = ratio;
    if (ratio > 1) noWorse = false;
    if (ratio < 1) better += 1;
  }
  if (ISSUE_REFERENCE[fn.name] !== undefined) entry.issue_reference_optuna_tpe_10_seeds = ISSUE_REFERENCE[fn.name];
  figures[fn.name] = entry;
  rows.push([]);
}
const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)));
const line = (cells: string[]) => cells.map((cell, index) => (index < 2 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
console.log('');
console.log(`Regret at ${trials} trials (best found - optimum; lower is better), ${seeds} seeds. ratio = median / Optuna TPE median (< 1: better).`);
console.log(line(columns));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows) console.log(row.length === 0 ? '' : line(row));
const comparable = functions.filter((fn) => results[fn.name]!['optuna-tpe'] !== undefined).length;
const goalMet = withOptuna && optunaError === null && comparable === functions.length && noWorse && better > functions.length / 2;
console.log(
  !withOptuna
    ? 'Optuna skipped (--no-optuna)'
    : optunaError === null
    ? `goal (autolab TPE median no worse than Optuna TPE on every function, better on most): ${goalMet ? 'met' : 'NOT met'} — better on ${better} of ${functions.length}`
    : `Optuna could not run (${optunaError}); only autolab's figures are shown`,
);
console.log(`optuna ${withOptuna ? optunaVersion : 'skipped'}; wall ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(
  JSON.stringify({
    bench: 'samplers',
    trials,
    seeds,
    optuna: withOptuna ? optunaVersion : 'skipped',
    optuna_error: optunaError,
    functions: figures,
    goal: { met: goalMet, no_worse_everywhere: noWorse && comparable === functions.length, better_on: better, of: functions.length },
  }),
);
