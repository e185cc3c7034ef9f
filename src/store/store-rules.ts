/**
 * Rules every Store adapter applies the same way, independent of SQL: what a
 * recordable outcome looks like, how costs accumulate, how `kept_at` stays ordered.
 */
import type { FinishedTrialStatus } from '../core/audit-events.ts';
import { AutolabError } from '../core/errors.ts';
import type { AcceptanceDecision, TrialDraft, TrialOutcome } from '../core/store.ts';
import { deriveTrialFailure } from '../core/trial-failure.ts';
import type { TrialCost, TrialFailure, TrialRecord, TrialStatus, TrialTimings } from '../core/trial.ts';

function refuse(message: string, hint?: string): never {
  throw new AutolabError('StoreError', message, hint === undefined ? {} : { hint });
}

function requireFiniteValues(values: object, what: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) refuse(`${what}: ${name} is ${String(value)}, not a finite number`);
  }
}

/** Refuses a draft whose numbers would not read back as they were written. */
export function validateDraft(studyId: number, draft: TrialDraft): void {
  const what = `Cannot create a trial in study ${studyId}`;
  if (!Number.isSafeInteger(draft.seed)) refuse(`${what}: the seed must be an integer, got ${draft.seed}`);
  if (draft.parent !== null && !Number.isSafeInteger(draft.parent)) refuse(`${what}: the parent must be a trial number, got ${draft.parent}`);
  if (draft.id !== undefined && (!Number.isSafeInteger(draft.id) || draft.id < 0)) refuse(`${what}: a forced trial number must be a non-negative integer, got ${draft.id}`);
  if (draft.expectedDelta != null && !Number.isFinite(draft.expectedDelta)) refuse(`${what}: expectedDelta is ${draft.expectedDelta}, not a finite number`);
  if (draft.cost) requireFiniteValues(draft.cost, `${what} (cost)`);
}

/** Refuses timings that JSON cannot carry (NaN, Infinity). */
export function validateTimings(timings: TrialTimings, what: string): void {
  requireFiniteValues(timings, `${what} (timings)`);
}

/**
 * Refuses an outcome that cannot be recorded faithfully: a scored outcome needs a
 * finite score, a failed one a failure label, and every metric must be a finite number
 * (NaN and Infinity do not survive JSON or SQL; the evaluator must label such runs).
 */
export function validateOutcome(studyId: number, trialId: number, outcome: TrialOutcome): void {
  const where = `trial ${trialId} of study ${studyId}`;
  if (outcome.status === 'scored' && (typeof outcome.score !== 'number' || !Number.isFinite(outcome.score))) {
    refuse(`Cannot record ${where} as scored without a finite score (got ${String(outcome.score)})`, 'a run without a valid score is failed with a label such as metric_missing');
  }
  if (outcome.status === 'failed' && outcome.label === null) refuse(`Cannot record ${where} as failed without a failure label`);
  for (const [name, value] of Object.entries(outcome.metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      refuse(`Cannot record ${where}: metric ${name} is ${String(value)}, not a finite number`, 'drop non-finite metrics (or fail the trial) before recording it');
    }
  }
  validateTimings(outcome.timings, `Cannot record ${where}`);
  if (outcome.cost) requireFiniteValues(outcome.cost, `Cannot record ${where} (cost)`);
}

/**
 * Costs are a ledger: each charge (the proposal's, at creation; any later one, at
 * finish) is one `costs` row, and a trial's `cost` is the sum of its charges.
 */
export function addCosts(a: TrialCost | null, b: TrialCost | null): TrialCost | null {
  if (a === null) return b;
  if (b === null) return a;
  return {
    usd: a.usd + b.usd,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
  };
}

/**
 * `at`, or one millisecond after `previous` when the clock has not moved past it (two
 * trials kept within one millisecond, or a clock step back): the newest kept trial is
 * always the one with the latest `kept_at`.
 */
export function laterThan(at: string, previous: string | null): string {
  if (previous === null || at > previous) return at;
  return new Date(Date.parse(previous) + 1).toISOString();
}

/**
 * Applies the acceptance decision to a scored outcome (in the recording transaction, with
 * the incumbent of that instant): the status, the outcome with any verdict label and
 * evidence merged in, and `kept_at` (strictly later than the incumbent's, so the order of
 * crowning is the order of `kept_at`). Failed outcomes pass through.
 */
export function decideOutcome(
  outcome: TrialOutcome,
  decide: AcceptanceDecision,
  incumbent: TrialRecord | null,
  incumbentKeptAt: string | null,
  at: string,
): { status: FinishedTrialStatus; outcome: TrialOutcome; keptAt: string | null } {
  if (outcome.status !== 'scored') return { status: 'failed', outcome, keptAt: null };
  const verdict = decide({ score: outcome.score as number, metrics: { ...outcome.metrics } }, incumbent);
  const { keep, label, detail, metrics: evidence } = typeof verdict === 'boolean' ? { keep: verdict, label: undefined, detail: undefined, metrics: undefined } : verdict;
  let decided = outcome;
  if (label !== undefined) decided = { ...decided, label, labelDetail: detail ?? null };
  if (evidence !== undefined) decided = { ...decided, metrics: { ...decided.metrics, ...evidence } };
  return { status: keep ? 'kept' : 'discarded', outcome: decided, keptAt: keep ? laterThan(at, incumbentKeptAt) : null };
}

/**
 * The values of the `trials` columns a finished trial sets, in the order of
 * FINISHED_TRIAL_COLUMNS (then `study_id`, `id` for the WHERE clause).
 */
export const FINISHED_TRIAL_COLUMNS = [
  'status', 'label', 'label_detail', 'metrics_json', 'score', 'timings_json', 'log_excerpt',
  'commit_sha', 'tree', 'diff', 'cost_json', 'finished_at', 'kept_at', 'repeats_json', 'curve_json', 'failure_json',
] as const;

/** The signature a failed outcome is recorded with: the evaluator's, else derived from its facts; null when it did not fail. */
export function recordedFailure(outcome: TrialOutcome, status: TrialStatus): TrialFailure | null {
  if (status !== 'failed') return null;
  return outcome.failure ?? deriveTrialFailure(outcome);
}

export function finishedTrialValues(trial: Pick<TrialRecord, 'timings' | 'commit' | 'tree' | 'diff'>, outcome: TrialOutcome, status: TrialStatus, cost: TrialCost | null, at: string, keptAt: string | null): unknown[] {
  return [
    status,
    outcome.label,
    outcome.labelDetail,
    JSON.stringify(outcome.metrics),
    outcome.status === 'scored' ? outcome.score : null,
    JSON.stringify({ ...trial.timings, ...outcome.timings }),
    outcome.logExcerpt,
    outcome.commit === undefined ? trial.commit : outcome.commit,
    outcome.tree === undefined ? trial.tree : outcome.tree,
    outcome.diff === undefined ? trial.diff : outcome.diff,
    cost === null ? null : JSON.stringify(cost),
    at,
    keptAt,
    JSON.stringify(outcome.repeats ?? []),
    JSON.stringify(outcome.curve ?? []),
    ((failure) => (failure === null ? null : JSON.stringify(failure)))(recordedFailure(outcome, status)),
  ];
}
