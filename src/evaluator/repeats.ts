import { existsSync } from 'node:fs';
import type { AcceptanceSamples, Noise } from '../core/acceptance.ts';
import { confidenceHalfWidth95, summarize } from '../core/statistics.ts';
import type { Metrics, RepeatRecord, TrialRecord } from '../core/trial.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { runRepeat, type PruningContext, type RepeatResult } from './run-repeat.ts';

/** Which repeats to run, where, and how. */
export interface RepeatsOptions {
  first: number;
  count: number;
  verification: boolean;
  worktree: string;
  slot: SlotInfo;
  signal: AbortSignal;
  pruning: PruningContext | null;
  /** Adopted from a dead driver: wait for the jobs it submitted (see `TrialJob.adopt`). */
  adopt?: boolean;
}

/**
 * Runs repeats `first .. first + count - 1` of a trial, each with its own seed
 * (task seed + repeat index). When the executor submits repeats together
 * (`runtime.repeatsTogether`, a Slurm job array) they all start at once, each in a
 * worktree of its own. Otherwise the trial's own slot and worktree take them in turn;
 * when other slots are free they take some in parallel, each in a worktree of its own,
 * and no repeat is handed out after the first failure.
 */
export async function runRepeats(runtime: StudyRuntime, trial: TrialRecord, options: RepeatsOptions): Promise<RepeatResult[]> {
  if (runtime.repeatsTogether && options.count > 1 && trial.commit) return runRepeatsTogether(runtime, trial, options, trial.commit);
  const adopt = options.adopt === true ? { adopt: true } : {};
  const results: RepeatResult[] = [];
  let next = options.first;
  const end = options.first + options.count;
  let failed = false;
  const worker = async (cwd: string, slot: SlotInfo): Promise<void> => {
    while (next < end && !failed && !options.signal.aborted) {
      const repeat = next++;
      const result = await runRepeat(runtime, trial, { repeat, seed: trial.seed + repeat, verification: options.verification, cwd, slot, signal: options.signal, pruning: options.pruning, ...adopt });
      results.push(result);
      if (!result.metrics) failed = true;
    }
  };
  const extras: Array<Promise<void>> = [];
  const commit = trial.commit;
  for (let extra = 1; extra < options.count && runtime.slots && commit; extra++) {
    const held = runtime.slots.tryAcquire();
    if (!held) break;
    const name = runtime.paths.repeatWorktreeName(trial.id, extra);
    extras.push(
      (async () => {
        try {
          const cwd = await runtime.workspace.createWorktree(name, commit);
          await worker(cwd, { index: held.index, gpu: held.gpu });
        } finally {
          held.release();
          await runtime.workspace.removeWorktree(name).catch(() => undefined);
        }
      })(),
    );
  }
  await Promise.all([worker(options.worktree, options.slot), ...extras]);
  return results.sort((a, b) => a.repeat - b.repeat);
}

/**
 * Every repeat at once, as one group the executor submits together (a job array); repeat
 * `first` in the trial's worktree, each other in one of its own (kept as it is when an
 * adopted job is still using it).
 */
async function runRepeatsTogether(runtime: StudyRuntime, trial: TrialRecord, options: RepeatsOptions, commit: string): Promise<RepeatResult[]> {
  const group = { id: `${runtime.studyName}:${trial.id}:${options.first}`, size: options.count };
  const repeats = Array.from({ length: options.count }, (_, index) => options.first + index);
  const results = await Promise.all(
    repeats.map(async (repeat, index) => {
      const name = index === 0 ? null : runtime.paths.repeatWorktreeName(trial.id, repeat);
      try {
        const cwd = name === null ? options.worktree : await repeatWorktree(runtime, name, commit, options.adopt === true);
        return await runRepeat(runtime, trial, { repeat, seed: trial.seed + repeat, verification: options.verification, cwd, slot: options.slot, signal: options.signal, pruning: options.pruning, group, ...(options.adopt === true && { adopt: true }) });
      } finally {
        if (name !== null) await runtime.workspace.removeWorktree(name).catch(() => undefined);
      }
    }),
  );
  return results.sort((a, b) => a.repeat - b.repeat);
}

/** A repeat's worktree: made at the trial's commit, or (adopting) the one a dead driver made, if it is still there. */
async function repeatWorktree(runtime: StudyRuntime, name: string, commit: string, adopt: boolean): Promise<string> {
  const path = runtime.workspace.worktreePath(name);
  if (adopt && existsSync(path)) return path;
  return runtime.workspace.createWorktree(name, commit);
}

/** Mean of every metric all repeats report; the objective also gets `<metric>_std`, `<metric>_ci95` (half-width of the 95% interval of the mean) and `repeats_n`. */
export function aggregateMetrics(repeats: readonly RepeatResult[], objectiveMetric: string): Metrics {
  const measured = repeats.map((repeat) => repeat.metrics).filter((metrics): metrics is Metrics => metrics !== null);
  if (measured.length === 0) return {};
  if (measured.length === 1) return { ...measured[0]! };
  const names = Object.keys(measured[0]!).filter((name) => measured.every((metrics) => metrics[name] !== undefined));
  const aggregate: Metrics = {};
  for (const name of names) aggregate[name] = measured.reduce((sum, metrics) => sum + metrics[name]!, 0) / measured.length;
  const objective = measured.map((metrics) => metrics[objectiveMetric]).filter((value): value is number => value !== undefined);
  if (objective.length > 1) {
    const summary = summarize(objective);
    aggregate[`${objectiveMetric}_std`] = summary.std;
    aggregate[`${objectiveMetric}_ci95`] = confidenceHalfWidth95(summary);
  }
  aggregate.repeats_n = measured.length;
  return aggregate;
}

export function toRepeatRecords(repeats: readonly RepeatResult[]): RepeatRecord[] {
  return repeats
    .filter((repeat) => repeat.metrics !== null)
    .map((repeat) => ({ repeat: repeat.repeat, seed: repeat.seed, metrics: repeat.metrics!, runMs: repeat.runMs, verification: repeat.verification }));
}

/** The objective's values of a recorded trial, ordinary and verification repeats apart. */
export function samplesOf(trial: Pick<TrialRecord, 'repeats' | 'score'>, metric: string): AcceptanceSamples {
  const ordinary: number[] = [];
  const verification: number[] = [];
  for (const repeat of trial.repeats) {
    const value = repeat.metrics[metric];
    if (value === undefined) continue;
    (repeat.verification ? verification : ordinary).push(value);
  }
  if (ordinary.length === 0 && verification.length === 0 && trial.score !== null) ordinary.push(trial.score);
  return { samples: ordinary, verification };
}

/** The calibrated noise: the spread of the baseline's repeats (null with fewer than two). */
export function noiseOf(baseline: TrialRecord | null, metric: string): Noise | null {
  if (!baseline) return null;
  const { samples, verification } = samplesOf(baseline, metric);
  const all = [...samples, ...verification];
  if (all.length < 2) return null;
  const { std } = summarize(all);
  return std > 0 ? { std, df: all.length - 1 } : null;
}
