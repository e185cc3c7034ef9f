/**
 * Acceptance of a multi-objective study, as the evaluator hands it to the store: the
 * candidate's samples of each objective (from its repeats, else its aggregated metrics),
 * judged inside the recording transaction against the front of the kept trials of that
 * instant (`judgeParetoCandidate`, src/core/pareto-acceptance.ts).
 */
import type { AcceptanceSamples, Noise } from '../core/acceptance.ts';
import { judgeParetoCandidate, type ParetoSamples } from '../core/pareto-acceptance.ts';
import { decisionOverKeptTrials, type AcceptanceDecision } from '../core/store.ts';
import type { ParetoObjective, TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { noiseOf } from './repeats.ts';

type Measured = Pick<TrialRecord, 'id' | 'repeats' | 'score' | 'metrics'>;

/**
 * One objective's values of a trial, ordinary and verification repeats apart; a trial
 * without repeats of it counts its recorded metric (for the primary objective, its score).
 */
export function objectiveSamplesOf(trial: Measured, metric: string, primary: boolean): AcceptanceSamples {
  const samples: number[] = [];
  const verification: number[] = [];
  for (const repeat of trial.repeats) {
    const value = repeat.metrics[metric];
    if (value !== undefined) (repeat.verification ? verification : samples).push(value);
  }
  if (samples.length === 0 && verification.length === 0) {
    const value = primary && trial.score !== null ? trial.score : trial.metrics[metric];
    if (value !== undefined && value !== null) samples.push(value);
  }
  return { samples, verification };
}

/** A trial's samples of every objective, in the order of `objectives`. */
export function paretoSamplesOf(objectives: readonly ParetoObjective[], primaryMetric: string, trial: Measured): ParetoSamples {
  return { id: trial.id, samples: objectives.map((objective) => objectiveSamplesOf(trial, objective.metric, objective.metric === primaryMetric)) };
}

/** The calibrated noise of each objective (the baseline's repeats), null where unknown. */
export function paretoNoiseOf(objectives: readonly ParetoObjective[], baseline: TrialRecord | null): Array<Noise | null> {
  return objectives.map((objective) => noiseOf(baseline, objective.metric));
}

/**
 * The store's decision for a multi-objective task: kept when the front of the kept
 * trials (read in the same transaction) does not dominate the candidate; a candidate
 * whose score lacks an objective's metric fails as `metric_missing`.
 *
 * @example
 * await store.finishTrial(studyId, trial.id, outcome, paretoDecision(task, { ...trial, ...outcome }, noise));
 */
export function paretoDecision(task: TaskSpec & { objectives: ParetoObjective[] }, candidate: Measured, noise: ReadonlyArray<Noise | null>): AcceptanceDecision {
  const objectives = task.objectives;
  const samples = paretoSamplesOf(objectives, task.objective.metric, candidate);
  return decisionOverKeptTrials((_candidate, _incumbent, kept) => {
    const missing = objectives.filter((_, index) => samples.samples[index]!.samples.length + samples.samples[index]!.verification.length === 0).map((objective) => objective.metric);
    if (missing.length > 0) return { keep: false, label: 'metric_missing', detail: `the score printed no ${missing.join(', ')} (an objective of this study)` };
    const front = (kept ?? []).map((trial) => paretoSamplesOf(objectives, task.objective.metric, trial));
    return judgeParetoCandidate(task.acceptance, objectives, samples, front, noise);
  });
}

/** True for a task with several objectives (a Pareto front instead of one incumbent). */
export function isMultiObjective(task: TaskSpec): task is TaskSpec & { objectives: ParetoObjective[] } {
  return task.objectives !== undefined && task.objectives.length >= 2;
}

/**
 * Whether a candidate with these ordinary repeats would enter the front of `kept` (the
 * acceptance rule without verification): only such a trial is worth verification repeats.
 */
export function wouldEnterFront(task: TaskSpec & { objectives: ParetoObjective[] }, candidate: Measured, kept: readonly TrialRecord[], noise: ReadonlyArray<Noise | null>): boolean {
  const samples = paretoSamplesOf(task.objectives, task.objective.metric, candidate);
  const front = kept.map((trial) => paretoSamplesOf(task.objectives, task.objective.metric, trial));
  return judgeParetoCandidate({ ...task.acceptance, verify: 0 }, task.objectives, samples, front, noise).keep;
}
