/**
 * Failed trials grouped by cause: by their failure signature when the trial carries one
 * (`failure.signature`: the normalised exception, frame or gate), else by failure label.
 * Plots colour failures by these groups, so one cause keeps one colour on a page.
 */
import type { FailureLabel, TrialRecord } from '../core/trial.ts';

/** One cause of failure and how many trials it felled. */
export interface FailureGroup {
  kind: 'signature' | 'label';
  /** The signature, or the label. */
  key: string;
  /** The label of the group's trials (of its first trial, for a signature). */
  label: FailureLabel;
  /** A one-line summary of the signature (its label for a label group). */
  summary: string;
  count: number;
}

/** The failure signature of a failed trial, when its record carries one. */
export function failureSignatureOf(trial: TrialRecord): { signature: string; summary: string } | null {
  const failure = (trial as TrialRecord & { failure?: unknown }).failure;
  if (typeof failure !== 'object' || failure === null) return null;
  const { signature, summary } = failure as { signature?: unknown; summary?: unknown };
  if (typeof signature !== 'string' || signature === '') return null;
  return { signature, summary: typeof summary === 'string' && summary !== '' ? summary : signature };
}

/**
 * Groups the failed trials of `trials`, most frequent first; `groupOf` maps a trial id
 * to its group's index (failed trials only).
 *
 * @example
 * const { groups, groupOf } = groupFailures(trials);
 * groups[groupOf.get(7)!]; // { kind: 'label', key: 'crash', label: 'crash', summary: 'crash', count: 12 }
 */
export function groupFailures(trials: readonly TrialRecord[]): { groups: FailureGroup[]; groupOf: Map<number, number> } {
  const byKey = new Map<string, { group: FailureGroup; ids: number[] }>();
  for (const trial of trials) {
    if (trial.status !== 'failed') continue;
    const label = trial.label ?? 'crash';
    const signature = failureSignatureOf(trial);
    const key = signature ? `s:${signature.signature}` : `l:${label}`;
    let found = byKey.get(key);
    if (!found) {
      found = { group: signature ? { kind: 'signature', key: signature.signature, label, summary: signature.summary, count: 0 } : { kind: 'label', key: label, label, summary: label, count: 0 }, ids: [] };
      byKey.set(key, found);
    }
    found.group.count++;
    found.ids.push(trial.id);
  }
  const sorted = [...byKey.values()].sort((a, b) => b.group.count - a.group.count || a.group.key.localeCompare(b.group.key));
  const groupOf = new Map<number, number>();
  sorted.forEach((entry, index) => {
    for (const id of entry.ids) groupOf.set(id, index);
  });
  return { groups: sorted.map((entry) => entry.group), groupOf };
}
