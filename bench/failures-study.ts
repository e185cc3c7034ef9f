/**
 * autolab's side of `bench:failures`: one sequential search of a recipe by the knobs
 * specialist itself (`createKnobsSpecialist(...).propose`, history read from its notes,
 * the incumbent as parent, the files edit applied), where every trial is a real process:
 * the recipe's `train.py` runs under autolab's local executor (process group, output
 * tail, the run's memory cap as ulimit -v), its last stdout line is read as the metrics,
 * and `classifyOutcome` (the evaluator's one place) gives the failure label and detail
 * with the gates. The trial record gets the label, detail and log excerpt a study would
 * store, from which the samplers compute failure signatures. Left out: git worktrees,
 * the store, the scheduler and a separate score command.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGate } from '../src/core/gates.ts';
import { classifyOutcome, type PhaseFacts, type TrialFacts } from '../src/core/outcome.ts';
import type { FailureLabel, TrialRecord } from '../src/core/trial.ts';
import { parseMetricsLine } from '../src/evaluator/metrics-line.ts';
import { LocalExecutor } from '../src/executors/local/local-executor.ts';
import { trialFailure } from '../src/specialists/knobs/failure-groups.ts';
import { readKnobValues } from '../src/specialists/knobs/knob-io.ts';
import type { KnobObservation } from '../src/specialists/knobs/knob-sampler.ts';
import { createKnobsSpecialist } from '../src/specialists/knobs/knobs-specialist.ts';
import type { KnobValues } from '../src/specialists/knobs/knob-value.ts';
import { mulberry32 } from '../src/specialists/knobs/sampler-math.ts';
import type { FailureRecipe } from './failures-recipes.ts';
import { knobsProposalContext } from '../src/testing/knobs-context.ts';
import { knobsTask } from '../src/testing/knobs-task.ts';
import { makeSampledTrial } from '../src/testing/trial-fixture.ts';

export const PYTHON = process.env.AUTOLAB_PYTHON ?? '/usr/bin/python3';

/** What one run of a recipe gave, as a study would record it. */
export interface RecipeOutcome {
  /** The metrics the run printed (a gate miss's too). */
  metrics: Record<string, number>;
  label: FailureLabel | null;
  detail: string | null;
  logExcerpt: string;
  score: number | null;
}

const lastLines = (text: string, count: number): string => text.trimEnd().split('\n').slice(-count).join('\n');

/** Runs the recipe once with `values` in `dir` (params.json is written there). */
export async function runRecipe(recipe: FailureRecipe, values: KnobValues, dir: string, executor: LocalExecutor): Promise<RecipeOutcome> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'params.json'), `${JSON.stringify(values)}\n`);
  const result = await executor.run({
    command: `exec ${PYTHON} ${join(recipe.dir, 'train.py')} params.json`,
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1', LANG: 'C.UTF-8' },
    timeoutMs: 120_000,
    outputCapBytes: 1 << 20,
    logFile: join(dir, 'run.log'),
    ...(recipe.memoryBytes !== undefined ? { memoryBytes: recipe.memoryBytes } : {}),
  });
  const run: PhaseFacts = { exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, aborted: result.aborted, spawnError: result.spawnError, oomSuspected: result.oomSuspected, tail: lastLines(result.outputTail, 20) };
  const facts: TrialFacts = { run };
  if (result.exitCode === 0) {
    facts.score = { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' };
    const parsed = parseMetricsLine(result.stdoutTail);
    if ('error' in parsed) facts.metricsError = parsed.error;
    else facts.metrics = parsed.metrics;
  }
  const outcome = classifyOutcome(facts, { metric: recipe.metric, direction: 'minimize' }, recipe.gates.map((gate) => parseGate(gate)!));
  const logExcerpt = lastLines(result.outputTail, 30);
  return outcome.kind === 'scored'
    ? { metrics: outcome.metrics, label: null, detail: null, logExcerpt, score: outcome.score }
    : { metrics: outcome.metrics, label: outcome.label, detail: outcome.detail, logExcerpt, score: null };
}

export interface AutolabStudyOptions {
  /** The knobs specialist's `sampler` option. */
  sampler: string;
  /** Its `learn_failures` option. */
  learn: boolean;
  /** Declare the recipe's constraint (`constraints:`). */
  declared: boolean;
  /** Folder for the trials' params.json and logs. */
  workDir: string;
  executor: LocalExecutor;
}

export interface StudyResult {
  /** Best score of a trial that passed (the baseline included). */
  best: number;
  /** Trials after the baseline that failed, by label. */
  failures: Partial<Record<FailureLabel, number>>;
  failed: number;
  proposals: number;
  /** Mean milliseconds per proposal (the specialist's whole propose call). */
  proposeMs: number;
  /** The notes line of the last proposal about what was learned. */
  learned: string | null;
  /** The best trial's knob values. */
  bestValues: KnobValues;
  /** Each proposal's failure label, null where it passed, in order. */
  outcomes: Array<FailureLabel | null>;
  /** The trials as the samplers saw them (the baseline first), for probing what was learned. */
  history: KnobObservation[];
}

/** Runs the baseline and then `trials` proposals of the knobs specialist on the recipe. */
export async function runAutolabStudy(recipe: FailureRecipe, seed: number, trials: number, options: AutolabStudyOptions): Promise<StudyResult> {
  const { task, spec } = knobsTask({
    name: `bench-failures-${recipe.name}`,
    root: recipe.dir,
    knobs: recipe.knobs,
    surface: { name: 'params', paths: ['params.json'], ...(options.declared ? { constraints: recipe.declared } : {}) },
    options: { sampler: options.sampler, learn_failures: options.learn },
    metric: recipe.metric,
    run: { command: `${PYTHON} train.py params.json`, timeoutMs: 120_000 },
    gates: recipe.gates.map((gate) => parseGate(gate)!),
    trials,
    maxArtifactBytes: 1 << 30,
  });
  const specialist = createKnobsSpecialist(spec, task);
  const random = mulberry32(0x5eed + seed * 7919);
  const files = new Map<number, Record<string, string>>([[0, { 'params.json': `${JSON.stringify(recipe.baseline, null, 2)}\n` }]]);
  await mkdir(options.workDir, { recursive: true });
  const dir = await mkdtemp(join(options.workDir, `${recipe.name}-${options.sampler}-${options.learn ? 'learn' : 'blind'}${options.declared ? '-declared' : ''}-s${seed}-`));
  const baseline = await runRecipe(recipe, recipe.baseline, dir, options.executor);
  if (baseline.score === null) throw new Error(`the baseline of ${recipe.name} failed: ${baseline.label} ${baseline.detail}`);
  const trialList: TrialRecord[] = [makeSampledTrial(0, { specialist: 'baseline', score: baseline.score, metrics: baseline.metrics })];
  let incumbent = trialList[0]!;
  const failures: Partial<Record<FailureLabel, number>> = {};
  let failed = 0;
  let proposeMs = 0;
  let learned: string | null = null;
  const outcomes: Array<FailureLabel | null> = [];
  const abort = new AbortController();
  for (let id = 1; id <= trials; id += 1) {
    const context = knobsProposalContext({ task, trials: trialList, incumbent, readFile: async (trialId, path) => files.get(trialId)?.[path] ?? null, random, signal: abort.signal });
    const t0 = performance.now();
    const proposal = await specialist.propose(context);
    proposeMs += performance.now() - t0;
    if (proposal === null || proposal.edit.kind !== 'files') throw new Error(`${options.sampler} proposed nothing at trial ${id} of ${recipe.name}`);
    learned = proposal.notes?.split('\n').find((line) => line.startsWith('feasibility:')) ?? learned;
    const next = { ...files.get(incumbent.id)! };
    for (const [path, text] of Object.entries(proposal.edit.files)) if (text !== null) next[path] = text;
    files.set(id, next);
    const values = await readKnobValues(async (path) => next[path] ?? null, recipe.knobs);
    const outcome = await runRecipe(recipe, values, dir, options.executor);
    outcomes.push(outcome.label);
    const base = { parent: incumbent.id, hypothesis: proposal.hypothesis, notes: proposal.notes ?? '', logExcerpt: outcome.logExcerpt };
    if (outcome.label !== null) {
      failed += 1;
      failures[outcome.label] = (failures[outcome.label] ?? 0) + 1;
      trialList.push(makeSampledTrial(id, { ...base, status: 'failed', label: outcome.label, labelDetail: outcome.detail, metrics: outcome.metrics }));
      continue;
    }
    const kept = (outcome.score as number) < (incumbent.score as number);
    const trial = makeSampledTrial(id, { ...base, status: kept ? 'kept' : 'discarded', score: outcome.score, metrics: outcome.metrics });
    trialList.push(trial);
    if (kept) incumbent = trial;
  }
  const history: KnobObservation[] = [];
  for (const trial of trialList) {
    const values = await readKnobValues(async (path) => files.get(trial.id)?.[path] ?? null, recipe.knobs);
    const failure = trialFailure(trial);
    history.push({ trialId: trial.id, values, status: trial.status, score: trial.score, label: trial.label, metrics: trial.metrics, ...(failure !== null ? { failure: failure.signature, failureText: failure.text } : {}) });
  }
  const bestValues = (await readKnobValues(async (path) => files.get(incumbent.id)?.[path] ?? null, recipe.knobs)) as KnobValues;
  return { best: incumbent.score as number, failures, failed, proposals: trials, proposeMs: proposeMs / trials, learned, bestValues, outcomes, history };
}
