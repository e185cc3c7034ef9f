/**
 * Failed trials grouped by cause, for the feasibility model: each failure signature (one
 * cause, e.g. `crash AssertionError at model.py: assert d_model % n_heads == 0`) becomes a
 * classification problem of its own, with the trials that failed with it as positives and
 * the trials known to have got past it as negatives.
 */
import { extractFailureSignature } from '../../core/failure-signature.ts';
import type { FailureLabel, TrialRecord } from '../../core/trial.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation } from './knob-sampler.ts';

/** A stored failure signature (phase two keeps it with the trial as `failure`). */
interface StoredFailure {
  signature?: string;
  summary?: string;
  frame?: { source?: string | null } | null;
}

/**
 * The failure signature of a trial, for its knob observation, and its text (the failing
 * source line and the message, for hints): the one stored with the trial when there is
 * one (`failure`), else computed from its label, detail and log excerpt. Null for trials
 * that did not fail.
 */
export function trialFailure(trial: Pick<TrialRecord, 'status' | 'label' | 'labelDetail' | 'logExcerpt'> & { failure?: StoredFailure | null }): { signature: string; text: string } | null {
  if (trial.status !== 'failed' || trial.label === null) return null;
  const stored = trial.failure;
  if (typeof stored?.signature === 'string' && stored.signature !== '') {
    return { signature: stored.signature, text: [stored.frame?.source ?? '', stored.summary ?? ''].filter((part) => part !== '').join('\n') };
  }
  const computed = extractFailureSignature({ label: trial.label, detail: trial.labelDetail, output: trial.logExcerpt });
  return { signature: computed.signature, text: [computed.frame?.source ?? '', computed.exception?.message ?? ''].filter((part) => part !== '').join('\n') };
}

/**
 * How far a trial got before it failed: a trial that failed at a later stage (or scored)
 * got past every cause of an earlier stage, so it is a negative example for them; one
 * that failed at the same stage with another cause says nothing (that cause may have
 * struck first).
 */
const STAGE: Partial<Record<FailureLabel, number>> = {
  preflight_failed: 1,
  smoke_failed: 1.5,
  run_timeout: 2,
  oom: 2,
  crash: 2,
  pruned: 2,
  size_exceeded: 3,
  score_timeout: 3,
  metric_missing: 3,
  gate_miss: 4,
};
const PASSED_ALL = 5;

function stageOf(observation: KnobObservation): number | null {
  const role = observationRole(observation);
  if (role === 'scored') return PASSED_ALL;
  if (role !== 'failed') return null;
  return STAGE[observation.label ?? 'crash'] ?? 2;
}

/** The cause of a failed observation: its signature, else its label. */
export function causeOf(observation: KnobObservation): string {
  return observation.failure ?? observation.label ?? 'failed';
}

/** One cause and the examples that tell where it strikes. */
export interface FailureGroup {
  cause: string;
  /** Observations that failed with this cause. */
  positives: KnobObservation[];
  /** The distinct texts of its failures (source lines, messages), for hints. */
  texts: string[];
  /** Observations known to have got past it (scored, or failed at a later stage). */
  negatives: KnobObservation[];
}

/**
 * Groups the measured history by cause, largest first, at most `maxGroups` (the smaller
 * causes are merged into one group named `other failures`). Empty when nothing failed.
 */
export function groupFailures(history: readonly KnobObservation[], maxGroups = 6): FailureGroup[] {
  const staged = history.flatMap((observation) => {
    const stage = stageOf(observation);
    return stage === null ? [] : [{ observation, stage }];
  });
  const byCause = new Map<string, { stage: number; positives: KnobObservation[] }>();
  for (const { observation, stage } of staged) {
    if (stage === PASSED_ALL) continue;
    const cause = causeOf(observation);
    const group = byCause.get(cause) ?? { stage, positives: [] };
    group.positives.push(observation);
    byCause.set(cause, group);
  }
  let causes = [...byCause.entries()].sort((a, b) => b[1].positives.length - a[1].positives.length || (a[0] < b[0] ? -1 : 1));
  if (causes.length > maxGroups) {
    const rest = causes.slice(maxGroups - 1);
    const merged = { stage: Math.min(...rest.map(([, group]) => group.stage)), positives: rest.flatMap(([, group]) => group.positives) };
    causes = [...causes.slice(0, maxGroups - 1), ['other failures', merged]];
  }
  return causes.map(([cause, group]) => {
    const mine = new Set(group.positives);
    const negatives = staged.filter(({ observation, stage }) => !mine.has(observation) && stage > group.stage).map(({ observation }) => observation);
    const texts = [...new Set(group.positives.map((observation) => observation.failureText ?? '').filter((text) => text !== ''))].slice(0, 8);
    return { cause, positives: group.positives, negatives, texts };
  });
}
