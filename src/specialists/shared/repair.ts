/**
 * After a specialist's own trial fails in a way its code caused (a crash, a failed
 * preflight, a timeout, running out of memory, no metric), its next session is offered
 * that trial as a parent to repair, with the failure's excerpt.
 */
import { excerptOf } from '../../core/lineage-feedback.ts';
import type { TrialHistory } from '../../core/trial-history.ts';
import type { FailureLabel, TrialRecord } from '../../core/trial.ts';

/** Failure labels whose trial has a commit worth repairing. */
export const REPAIRABLE_LABELS: ReadonlySet<FailureLabel> = new Set<FailureLabel>(['crash', 'preflight_failed', 'smoke_failed', 'run_timeout', 'oom', 'metric_missing']);

export interface RepairOffer {
  trial: TrialRecord;
  label: FailureLabel;
  /** The last lines of the failure (the label's detail or the log). */
  excerpt: string;
}

/**
 * The specialist's most recent finished trial when it failed with a repairable label,
 * has a commit, and no later trial builds on it yet; otherwise null.
 *
 * Reads the specialist's newest finished trial and the trials after it (from the
 * history's newest trials in memory when they reach back that far).
 *
 * @example const offer = await repairOffer(context.history, 'optimizer');
 */
export async function repairOffer(history: TrialHistory, specialist: string): Promise<RepairOffer | null> {
  const [last] = await history.list({ specialist, status: ['kept', 'discarded', 'failed'], descending: true, limit: 1 });
  if (!last || last.status !== 'failed' || last.label === null || !REPAIRABLE_LABELS.has(last.label) || last.commit === null) return null;
  const oldestHeld = history.recent[0]?.id;
  const later = oldestHeld !== undefined && oldestHeld <= last.id ? history.recent : await history.list({ afterId: last.id });
  if (later.some((trial) => trial.parent === last.id)) return null;
  return { trial: last, label: last.label, excerpt: failureExcerpt(last) };
}

const STACK_NOISE = [/^\s+at /, /^Node\.js v\d/, /^\s*\^+\s*$/];

/**
 * The last lines of a failure without JavaScript stack frames (which push the error
 * message out of a short excerpt); Python tracebacks keep their frames and end with
 * the message anyway.
 */
export function failureExcerpt(trial: TrialRecord, maxLines = 10): string {
  const source = (trial.labelDetail ?? '').trim() || trial.logExcerpt.trim();
  const lines = source.split('\n').filter((line) => !STACK_NOISE.some((noise) => noise.test(line)));
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  const excerpt = lines.slice(-maxLines).join('\n');
  return excerpt.length > 1500 ? '…' + excerpt.slice(-1500) : excerpt || excerptOf(trial);
}

/** The paragraph that tells the agent about the offer. */
export function repairText(offer: RepairOffer): string {
  return [
    `## Your last trial failed: #${offer.trial.id} (${offer.label})`,
    '',
    `Hypothesis: ${offer.trial.hypothesis}`,
    '',
    '```',
    offer.excerpt || '(no output)',
    '```',
    '',
    `You may repair it: its code is available as a parent. Switch your scratch copy to it with rebase (trial ${offer.trial.id}), fix the failure, and submit; the repair is recorded with #${offer.trial.id} as its parent. Or leave it and build on the incumbent.`,
  ].join('\n');
}
