/**
 * "Failures by cause": the failed trials of a study grouped by failure signature, each
 * cause with its count, its first and last trial, an example summary and which
 * specialists hit it. One view model for `autolab status`, `autolab failures`, the
 * dashboard overview and the report. Pure.
 */
import { failureOf } from '../core/trial-failure.ts';
import type { FailureFrame, FailureLabel, TrialRecord } from '../core/trial.ts';

/** One cause of failure across the study. */
export interface FailureCause {
  /** The normalised cause: equal for trials that failed for the same reason. */
  signature: string;
  /** The failure label of its trials (of its latest trial, should they differ). */
  label: FailureLabel;
  /** The latest trial's one-line summary (with its real values). */
  summary: string;
  /** The recipe's frame of the latest trial, or null. */
  frame: FailureFrame | null;
  count: number;
  firstTrial: number;
  lastTrial: number;
  /** Its trials' ids, ascending. */
  trials: number[];
  /** How many of its trials each specialist proposed. */
  specialists: Record<string, number>;
}

/**
 * The failed trials of `trials` grouped by signature, most frequent first (ties: the most
 * recent cause first).
 *
 * @example
 * failuresByCause(trials)[0]
 * // { signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>', count: 17, firstTrial: 2, lastTrial: 20,
 * //   summary: 'crash AssertionError at model.py:66 assert d_model % n_heads == 0', label: 'crash', ... }
 */
export function failuresByCause(trials: readonly TrialRecord[]): FailureCause[] {
  const bySignature = new Map<string, FailureCause>();
  for (const trial of [...trials].sort((a, b) => a.id - b.id)) {
    const failure = failureOf(trial);
    if (failure === null) continue;
    const cause = bySignature.get(failure.signature) ?? {
      signature: failure.signature,
      label: trial.label ?? 'crash',
      summary: failure.summary,
      frame: failure.frame,
      count: 0,
      firstTrial: trial.id,
      lastTrial: trial.id,
      trials: [],
      specialists: {},
    };
    cause.count++;
    cause.lastTrial = trial.id;
    cause.label = trial.label ?? cause.label;
    cause.summary = failure.summary;
    cause.frame = failure.frame;
    cause.trials.push(trial.id);
    cause.specialists[trial.specialist] = (cause.specialists[trial.specialist] ?? 0) + 1;
    bySignature.set(failure.signature, cause);
  }
  return [...bySignature.values()].sort((a, b) => b.count - a.count || b.lastTrial - a.lastTrial);
}

/** `#2 … #20` (or `#7` for one trial): the first and last trial of a cause. */
export function causeSpan(cause: Pick<FailureCause, 'firstTrial' | 'lastTrial'>): string {
  return cause.firstTrial === cause.lastTrial ? `#${cause.firstTrial}` : `#${cause.firstTrial} … #${cause.lastTrial}`;
}
