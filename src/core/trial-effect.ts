/**
 * The measured effect of a trial against its parent: the change of the objective, and a
 * 95% interval when both were measured more than once (the repeats), for the knowledge
 * base and technique cards. Pure.
 */
import { confidenceHalfWidth95, summarize } from './statistics.ts';
import type { Direction } from './task.ts';
import type { TrialRecord } from './trial.ts';

export interface TrialEffect {
  /** trial score minus parent score (as measured; its sign is not adjusted for the direction). */
  delta: number;
  /** A 95% interval of the delta, or null after single runs. */
  low: number | null;
  high: number | null;
  /** True when the delta moves the objective the right way. */
  improves: boolean;
}

function objectiveRuns(trial: TrialRecord, metric: string): number[] {
  return trial.repeats.filter((repeat) => !repeat.verification).map((repeat) => repeat.metrics[metric]).filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
}

/**
 * The effect of `trial` against `parent`, or null when either has no score.
 *
 * @example
 * trialEffect(trial, parent, { metric: 'loss', direction: 'minimize' }); // { delta: -0.4, low: -0.6, high: -0.2, improves: true }
 */
export function trialEffect(trial: TrialRecord, parent: TrialRecord | undefined, objective: { metric: string; direction: Direction }): TrialEffect | null {
  if (!parent || trial.score === null || parent.score === null) return null;
  const delta = trial.score - parent.score;
  const a = summarize(objectiveRuns(trial, objective.metric));
  const b = summarize(objectiveRuns(parent, objective.metric));
  const interval = a.n >= 2 && b.n >= 2 ? Math.hypot(confidenceHalfWidth95(a), confidenceHalfWidth95(b)) : null;
  return {
    delta,
    low: interval === null ? null : delta - interval,
    high: interval === null ? null : delta + interval,
    improves: objective.direction === 'minimize' ? delta < 0 : delta > 0,
  };
}

/** `-0.41 [-0.6, -0.2]` or `-0.41 (1 run)`. */
export function formatEffect(effect: TrialEffect | null): string {
  if (effect === null) return 'n/a';
  const value = formatNumber(effect.delta, true);
  return effect.low === null || effect.high === null ? `${value} (single run)` : `${value} [${formatNumber(effect.low, true)}, ${formatNumber(effect.high, true)}]`;
}

export function formatNumber(value: number, signed = false): string {
  const text = Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
  return signed && value > 0 ? `+${text}` : text;
}
