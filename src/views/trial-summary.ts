/**
 * The row of a trial in tables (dashboard, report, API): what a person scans, without
 * the diff and logs.
 */
import type { Objective } from '../core/task.ts';
import type { FailureLabel, TrialRecord, TrialStatus } from '../core/trial.ts';
import { improvement } from '../core/acceptance.ts';
import { failureLine } from '../core/trial-failure.ts';

export interface TrialSummary {
  id: number;
  parent: number | null;
  specialist: string;
  status: TrialStatus;
  label: FailureLabel | null;
  /** A failed trial's cause on one line (its failure signature's summary, starting with the label), else null. */
  cause: string | null;
  score: number | null;
  /** Score minus the parent's score (null when either has none). */
  delta: number | null;
  /** `delta` signed so that positive is better under the objective. */
  gain: number | null;
  hypothesis: string;
  durationMs: number | null;
  costUsd: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const HYPOTHESIS_CHARS = 240;

/** Score minus the parent's score, or null. */
export function deltaOf(trial: TrialRecord, byId: ReadonlyMap<number, TrialRecord>): number | null {
  if (trial.score === null || trial.parent === null) return null;
  const parent = byId.get(trial.parent);
  return parent?.score != null ? trial.score - parent.score : null;
}

/** The summary row of `trial`; `byId` resolves its parent's score. */
export function summarizeTrial(trial: TrialRecord, byId: ReadonlyMap<number, TrialRecord>, objective: Objective): TrialSummary {
  const delta = deltaOf(trial, byId);
  const parentScore = trial.parent === null ? null : (byId.get(trial.parent)?.score ?? null);
  const hypothesis = trial.hypothesis.length > HYPOTHESIS_CHARS ? trial.hypothesis.slice(0, HYPOTHESIS_CHARS - 1) + '…' : trial.hypothesis;
  return {
    id: trial.id,
    parent: trial.parent,
    specialist: trial.specialist,
    status: trial.status,
    label: trial.label,
    cause: failureLine(trial),
    score: trial.score,
    delta,
    gain: delta === null || parentScore === null || trial.score === null ? null : improvement(objective, trial.score, parentScore),
    hypothesis,
    durationMs: trial.timings.totalMs ?? null,
    costUsd: trial.cost?.usd ?? null,
    startedAt: trial.startedAt,
    finishedAt: trial.finishedAt,
  };
}
