/**
 * The failure signature of a trial as every reader sees it: the one stored with the trial,
 * else (a trial recorded before signatures were stored, a test double) one derived from its
 * label, detail and log excerpt. One rule for the CLI, the dashboard, the report and the
 * lineage feedback. Pure.
 */
import { extractFailureSignature, toTrialFailure } from './failure-signature.ts';
import type { FailureLabel, TrialFailure, TrialRecord } from './trial.ts';

/** What deriving a signature needs of a failed trial. */
export type FailureFacts = { label: FailureLabel | null; labelDetail: string | null; logExcerpt: string };

/**
 * The signature derived from a failure's label, detail and output tail (no recipe roots:
 * paths inside `.autolab/` worktrees are still shown relative to the recipe).
 *
 * @example deriveTrialFailure({ label: 'crash', labelDetail: 'exited with code 1', logExcerpt: traceback })
 */
export function deriveTrialFailure(facts: FailureFacts): TrialFailure {
  return toTrialFailure(extractFailureSignature({ label: facts.label ?? 'crash', detail: facts.labelDetail, output: facts.logExcerpt }));
}

/**
 * The failure signature of a failed trial (stored, else derived), null for any other.
 *
 * @example failureOf(trial)?.summary // 'crash AssertionError at model.py:66 assert d_model % n_heads == 0'
 */
export function failureOf(trial: Pick<TrialRecord, 'status' | 'label' | 'labelDetail' | 'logExcerpt'> & { failure?: TrialFailure | null }): TrialFailure | null {
  if (trial.status !== 'failed') return null;
  if (trial.failure != null) return trial.failure;
  return deriveTrialFailure(trial);
}

/**
 * The one line a list shows for a failed trial: its summary, which starts with its label
 * (`crash AssertionError at model.py:66 assert ...`); null for a trial that did not fail.
 */
export function failureLine(trial: Parameters<typeof failureOf>[0]): string | null {
  return failureOf(trial)?.summary ?? null;
}
