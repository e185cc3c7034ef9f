/**
 * The exit codes of `autolab submit`, so that a script can tell a kept edit from a
 * discarded one, an edit that was refused, one that ran and failed, and a trial that
 * the machine (not the edit) spoiled. Documented in `autolab submit --help` and the README.
 */
import type { FailureLabel, TrialRecord } from '../../core/trial.ts';

/** One exit code and what it means. */
export interface SubmitExitCode {
  code: number;
  meaning: string;
  labels?: readonly FailureLabel[];
}

/** Labels of an edit refused before anything ran. */
const REFUSED: readonly FailureLabel[] = ['apply_failed', 'illegal_edit', 'duplicate', 'size_exceeded'];
/** Labels of an edit that ran (or was checked by running) and failed. */
const FAILED_RUN: readonly FailureLabel[] = ['preflight_failed', 'smoke_failed', 'crash', 'run_timeout', 'oom', 'pruned', 'score_timeout', 'metric_missing', 'gate_miss'];
/** Labels that are not the edit's fault: submit it again. */
const NOT_THE_EDIT: readonly FailureLabel[] = ['interrupted', 'infra_error'];

/** Every exit code of `autolab submit`, in order. */
export const SUBMIT_EXIT_CODES: readonly SubmitExitCode[] = [
  { code: 0, meaning: 'evaluated and kept: the trial is the new incumbent' },
  { code: 1, meaning: 'not evaluated: autolab could not record a trial (a usage, task file or store error; the message says why)' },
  { code: 2, meaning: 'not evaluated: an unexpected internal error' },
  { code: 3, meaning: 'evaluated and discarded: it scored, but not better than the incumbent (including not_significant)' },
  { code: 4, meaning: 'refused before running', labels: REFUSED },
  { code: 5, meaning: 'ran and failed', labels: FAILED_RUN },
  { code: 6, meaning: "spoiled by the machine, not the edit: submit it again", labels: NOT_THE_EDIT },
];

/**
 * The exit code for a recorded trial.
 *
 * @example submitExitCode({ status: 'failed', label: 'apply_failed' }) // 4
 */
export function submitExitCode(trial: Pick<TrialRecord, 'status' | 'label'>): number {
  if (trial.status === 'kept') return 0;
  if (trial.status === 'discarded') return 3;
  const label = trial.label;
  if (label !== null && REFUSED.includes(label)) return 4;
  if (label !== null && NOT_THE_EDIT.includes(label)) return 6;
  return 5;
}

/** The exit codes as help text (`autolab submit --help`). */
export function submitExitCodesHelp(): string {
  const rows = SUBMIT_EXIT_CODES.map((entry) => `  ${entry.code}  ${entry.meaning}${entry.labels ? ` (${entry.labels.join(', ')})` : ''}`);
  return `\nExit codes:\n${rows.join('\n')}\n`;
}
