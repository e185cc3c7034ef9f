/**
 * One sequential multi-objective search of `bench:pareto` on autolab's side: the sampler
 * proposes value sets over the problem's knobs, the problem (an analytic function, or
 * the real-process recipe run as a child process per trial) measures them, and each
 * trial joins the history as a kept trial whose metrics hold the objectives, exactly as
 * the knobs specialist hands them to its sampler in a study with `objectives:`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KnobSpec, Objective } from '../src/core/task.ts';
import type { KnobObservation, KnobSampler } from '../src/specialists/knobs/knob-sampler.ts';
import type { KnobValues } from '../src/specialists/knobs/knob-value.ts';
import { mulberry32 } from '../src/specialists/knobs/sampler-math.ts';

const run = promisify(execFile);

/** A problem as the search sees it: knobs, objective count, and an (async) measurement. */
export interface SearchProblem {
  name: string;
  knobs: KnobSpec[];
  objectives: number;
  measure(values: KnobValues): Promise<number[]>;
}

/** The objective values of every trial of one search, in trial order, and the seconds it took. */
export interface SearchResult {
  values: number[][];
  seconds: number;
}

/** Runs `trials` proposals of `sampler` from `seed`. */
export async function runParetoSearch(problem: SearchProblem, sampler: KnobSampler, seed: number, trials: number): Promise<SearchResult> {
  const objectives: Objective[] = Array.from({ length: problem.objectives }, (_, k) => ({ metric: `f${k}`, direction: 'minimize' }));
  const random = mulberry32(seed + 1);
  const history: KnobObservation[] = [];
  const values: number[][] = [];
  const incumbent: KnobValues = Object.fromEntries(problem.knobs.map((knob) => [knob.name, knob.type === 'categorical' ? knob.choices![0]! : (knob.low as number)]));
  const started = Date.now();
  for (let trial = 1; trial <= trials; trial += 1) {
    const proposal = sampler.sample(problem.knobs, history, incumbent, random, { direction: 'minimize', objectives, primaryMetric: 'f0', trialBudget: trials });
    const measured = await problem.measure(proposal);
    values.push(measured);
    history.push({ trialId: trial, values: proposal, status: 'kept', score: measured[0]!, metrics: Object.fromEntries(measured.map((value, k) => [`f${k}`, value])) });
  }
  return { values, seconds: (Date.now() - started) / 1000 };
}

/** The knobs of the real-process recipe (bench/pareto-recipe/compress.py; Optuna's side suggests the same). */
export const COMPRESS_KNOBS: KnobSpec[] = [
  { name: 'level', file: 'params.json', key: 'level', type: 'int', low: 0, high: 9 },
  { name: 'mem_level', file: 'params.json', key: 'mem_level', type: 'int', low: 1, high: 9 },
  { name: 'wbits', file: 'params.json', key: 'wbits', type: 'int', low: 9, high: 15 },
  { name: 'strategy', file: 'params.json', key: 'strategy', type: 'categorical', choices: ['default', 'filtered', 'huffman_only', 'rle', 'fixed'] },
  { name: 'chunk_kib', file: 'params.json', key: 'chunk_kib', type: 'int', low: 1, high: 1024, log: true },
  { name: 'delta', file: 'params.json', key: 'delta', type: 'categorical', choices: [false, true] },
];

/** The real-process recipe: one `python3 compress.py PARAMS` per trial, its JSON line read back. */
export function compressProblem(python: string): SearchProblem {
  const script = join(import.meta.dirname, 'pareto-recipe', 'compress.py');
  return {
    name: 'compress',
    knobs: COMPRESS_KNOBS,
    objectives: 2,
    async measure(values) {
      const { stdout } = await run(python, [script, JSON.stringify(values)]);
      const metrics = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ratio: number; cpu_ms: number };
      return [metrics.ratio, metrics.cpu_ms];
    },
  };
}
