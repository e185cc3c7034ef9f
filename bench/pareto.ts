/**
 * npm run bench:pareto — autolab's multi-objective knob search against Optuna's
 * NSGAIISampler and multi-objective TPESampler (Debian python3-optuna, default settings),
 * side by side: ZDT1, ZDT2, ZDT3 (two objectives, 30 variables), DTLZ2 (three objectives,
 * 12 variables) and one real-process recipe (bench/pareto-recipe/compress.py: zlib
 * settings, compression ratio vs CPU time, one child process per trial on both sides).
 * 100 trials: a typical overnight knob budget, and where Optuna's samplers leave their
 * random start-up (NSGA-II's first generation is 50 trials). Hypervolume of all points a
 * search evaluated against fixed reference points (bench/pareto-problems.ts), computed by
 * the same code (src/core/hypervolume.ts) for every sampler; medians and quartiles over
 * the seeds. `autolab` is what a knobs specialist with `sampler: auto` runs in a study with
 * `objectives:` (TPE over the Pareto-ranked history, i.e. MOTPE); `autolab_nsga2` is
 * `sampler: nsga2`. Ends with one JSON line of figures.
 *
 * Optuna runs afresh, side by side: its searches of the analytic problems start with the
 * bench and run beside autolab's, those of the real-process recipe start with autolab's
 * searches of it.
 *
 * Options: --seeds N (default 10), --trials N (default 100), --problems a,b (default all),
 * --recipe-seeds N (default: --seeds), --no-optuna, --python PATH (default /usr/bin/python3),
 * --concurrency N (the real-process recipe's searches run N seeds at once on each
 * side, default 2; the analytic ones run one at a time), --optuna-cache DIR (opt-in, for
 * development only: keep Optuna's runs of the analytic problems in DIR,
 * `<problem>-<sampler>-<trials>.json`, and reuse them; seeded Optuna on an analytic
 * problem gives the same values on every run, while its MOTPE takes about a minute per
 * search on a loaded machine; the JSON line lists cached runs under `optuna_cached`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { hypervolume } from '../src/core/hypervolume.ts';
import type { KnobSampler } from '../src/specialists/knobs/knob-sampler.ts';
import { createKnobSampler } from '../src/specialists/knobs/sampler-choice.ts';
import { PARETO_PROBLEMS } from './pareto-problems.ts';
import { compressProblem, runParetoSearch, type SearchProblem } from './pareto-search.ts';
import { lastJsonLine, runPython } from './lib/run-python.ts';
import { quantile } from './lib/stats.ts';

const ROOT = join(import.meta.dirname, '..');

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const seeds = Number(argument('seeds') ?? 10);
const recipeSeeds = Number(argument('recipe-seeds') ?? seeds);
const trials = Number(argument('trials') ?? 100);
const python = argument('python') ?? process.env.AUTOLAB_PYTHON ?? '/usr/bin/python3';
const withOptuna = !process.argv.includes('--no-optuna');
const concurrency = Math.max(1, Number(argument('concurrency') ?? 2));
const COMPRESS_REFERENCE = [1.1, 100];

const analytic: Array<SearchProblem & { reference: number[] }> = PARETO_PROBLEMS.map((problem) => ({ ...problem, measure: async (values) => problem.evaluate(problem.knobs.map((knob) => values[knob.name] as number)) }));
const allProblems = [...analytic, { ...compressProblem(python), reference: COMPRESS_REFERENCE }];
const names = (argument('problems') ?? allProblems.map((problem) => problem.name).join(',')).split(',');
const problems = names.map((name) => {
  const problem = allProblems.find((candidate) => candidate.name === name);
  if (!problem) throw new Error(`unknown problem ${name}; use ${allProblems.map((candidate) => candidate.name).join(', ')}`);
  return problem;
});

const AUTOLAB_SAMPLERS: Array<[string, (problem: SearchProblem) => KnobSampler]> = [
  ['autolab', (problem) => createKnobSampler({ sampler: 'auto' }, problem.knobs, trials, true)],
  ['autolab_nsga2', (problem) => createKnobSampler({ sampler: 'nsga2' }, problem.knobs, trials, true)],
];


interface Figures {
  median: number;
  q1: number;
  q3: number;
  runs: number;
  secondsPerRun: number;
}

function figures(volumes: number[], seconds: number[]): Figures {
  return { median: quantile(volumes, 0.5), q1: quantile(volumes, 0.25), q3: quantile(volumes, 0.75), runs: volumes.length, secondsPerRun: seconds.reduce((a, b) => a + b, 0) / Math.max(1, seconds.length) };
}

interface OptunaOutput {
  optuna: string;
  runs: Array<{ seed: number; values: number[][]; seconds: number }>;
}

const optunaCache = argument('optuna-cache');

/** Optuna's runs, from the cache where it holds every seed asked for (analytic problems only), else run and cached. */
async function optunaRuns(problem: string, sampler: 'nsga2' | 'tpe', seedCount: number): Promise<OptunaOutput & { cached: boolean }> {
  const file = optunaCache && problem !== 'compress' ? join(optunaCache, `${problem}-${sampler}-${trials}.json`) : null;
  if (file && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as OptunaOutput;
    const runs = Array.from({ length: seedCount }, (_, seed) => cached.runs.find((run) => run.seed === seed));
    if (runs.every((run) => run !== undefined)) return { optuna: cached.optuna, runs: runs as OptunaOutput['runs'], cached: true };
  }
  // The recipe's searches run `concurrency` processes at once, as autolab's do; Optuna's
  // MOTPE (about 17 CPU seconds a search) too, so that on a shared machine it finishes
  // within autolab's time (seeds split among the processes; no timing enters the values).
  const parts = problem === 'compress' || sampler === 'tpe' ? Math.min(concurrency, seedCount) : 1;
  const chunks = Array.from({ length: parts }, (_, part) => Array.from({ length: seedCount }, (_, seed) => seed).filter((seed) => seed % parts === part));
  const outputs = await Promise.all(chunks.map((chunk) => runOptuna(problem, sampler, chunk)));
  const output: OptunaOutput = { optuna: outputs[0]!.optuna, runs: outputs.flatMap((part) => part.runs).sort((a, b) => a.seed - b.seed) };
  if (file) {
    mkdirSync(optunaCache!, { recursive: true });
    writeFileSync(file, JSON.stringify(output));
  }
  return { ...output, cached: false };
}

function runOptuna(problem: string, sampler: 'nsga2' | 'tpe', seedList: readonly number[]): Promise<OptunaOutput> {
  const args = [join(ROOT, 'bench', 'pareto-optuna.py'), problem, '--sampler', sampler, '--seeds', seedList.join(','), '--trials', String(trials)];
  return runPython(python, args).then((stdout) => lastJsonLine<OptunaOutput>(stdout));
}

const fmt = (value: number): string => (Number.isFinite(value) ? value.toPrecision(5) : String(value));
const results: Record<string, Record<string, Figures>> = {};
let optunaVersion: string | null = null;
const cachedRuns: string[] = [];

/** Optuna's searches of one problem (both samplers side by side), or null without Optuna. */
function startOptuna(problem: (typeof problems)[number]): Promise<[OptunaOutput & { cached: boolean }, OptunaOutput & { cached: boolean }] | null> {
  const seedCount = problem.name === 'compress' ? recipeSeeds : seeds;
  const pending = withOptuna ? Promise.all([optunaRuns(problem.name, 'nsga2', seedCount), optunaRuns(problem.name, 'tpe', seedCount)]) : Promise.resolve(null);
  pending.catch(() => undefined);
  return pending;
}

/** Runs `jobs` with at most `limit` at once (the searches of one sampler over the seeds), results in order. */
async function pooled<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return results;
}

/** The figures so far as the bench's JSON line (`complete`: false while problems remain). */
function jsonLine(complete: boolean): string {
  const json = {
    complete,
    bench: 'pareto',
    trials,
    seeds,
    recipeSeeds,
    optuna: optunaVersion,
    optuna_cached: cachedRuns,
    load: loadavg().map((value) => Number(value.toFixed(2))),
    problems: Object.fromEntries(
      Object.entries(results).map(([name, row]) => [
        name,
        {
          hypervolume: Object.fromEntries(Object.entries(row).map(([sampler, figure]) => [sampler, Number(figure.median.toPrecision(6))])),
          quartiles: Object.fromEntries(Object.entries(row).map(([sampler, figure]) => [sampler, [Number(figure.q1.toPrecision(6)), Number(figure.q3.toPrecision(6))]])),
          ...(row.optuna_nsga2 && row.optuna_tpe
            ? { ratio: { vs_optuna_nsga2: Number((row.autolab!.median / row.optuna_nsga2.median).toFixed(4)), vs_optuna_tpe: Number((row.autolab!.median / row.optuna_tpe.median).toFixed(4)) } }
            : {}),
          reference: problems.find((problem) => problem.name === name)!.reference,
        },
      ]),
    ),
  };
  return JSON.stringify(json);
}

// Optuna's searches of the analytic problems start at once, side by side with everything
// autolab runs (their values do not depend on time); the real-process recipe's start with
// autolab's searches of it, so that both sides measure CPU time under the same load.
const optunaStarted = new Map(problems.filter((problem) => problem.name !== 'compress').map((problem) => [problem.name, startOptuna(problem)]));

for (const problem of problems) {
  const seedCount = problem.name === 'compress' ? recipeSeeds : seeds;
  const optunaPending = optunaStarted.get(problem.name) ?? startOptuna(problem);
  const row: Record<string, Figures> = {};
  const limit = problem.name === 'compress' ? concurrency : 1;
  for (const [name, make] of AUTOLAB_SAMPLERS) {
    const results = await pooled(Array.from({ length: seedCount }, (_, seed) => () => runParetoSearch(problem, make(problem), seed, trials)), limit);
    row[name] = figures(results.map((result) => hypervolume(result.values, problem.reference)), results.map((result) => result.seconds));
  }
  const optuna = await optunaPending;
  if (optuna) {
    for (const [index, name] of ['optuna_nsga2', 'optuna_tpe'].entries()) {
      const output = optuna[index]!;
      optunaVersion = output.optuna;
      if (output.cached) cachedRuns.push(`${problem.name}/${name}`);
      row[name] = figures(output.runs.map((run) => hypervolume(run.values, problem.reference)), output.runs.map((run) => run.seconds));
    }
  }
  results[problem.name] = row;
  const header = `${problem.name} (${problem.knobs.length} knobs, ${problem.objectives} objectives, reference [${problem.reference.join(', ')}], ${trials} trials, ${seedCount} seeds)`;
  console.log(header);
  for (const [name, figure] of Object.entries(row)) {
    const cached = cachedRuns.includes(`${problem.name}/${name}`) ? ' (cached run)' : '';
    console.log(`  ${name.padEnd(14)} hypervolume median ${fmt(figure.median)}  [q1 ${fmt(figure.q1)}, q3 ${fmt(figure.q3)}]  ${figure.secondsPerRun.toFixed(1)} s/run${cached}`);
  }
  if (row.optuna_nsga2 && row.optuna_tpe) {
    console.log(`  ratio autolab / optuna_nsga2 ${(row.autolab!.median / row.optuna_nsga2.median).toFixed(3)} · autolab / optuna_tpe ${(row.autolab!.median / row.optuna_tpe.median).toFixed(3)}`);
  }
  // The figures so far, so that a run cut short still leaves its finished problems in the bench's own words.
  if (problem !== problems[problems.length - 1]) console.log(jsonLine(false));
}

console.log(jsonLine(true));
