/**
 * The trials table's rows (one `TrialSummary` per trial, in id order) and its facets
 * (specialists, labels, metric names) kept current trial by trial: a write summarises
 * the trials it changed, and the children of a trial whose score changed (their delta is
 * against it). A finished trial never changes (the store's contract), so only the
 * children of unfinished trials are indexed. `rows()` equals summarising every trial in
 * id order (trial-rows-tracker.test.ts).
 */
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { summarizeTrial, type TrialSummary } from './trial-summary.ts';

const finished = (trial: TrialRecord) => trial.status === 'kept' || trial.status === 'discarded' || trial.status === 'failed';

export class TrialRowsTracker {
  private readonly held: TrialSummary[] = [];
  /** The children of unfinished trials (their rows change when the parent's score does). */
  private readonly waiting = new Map<number, number[]>();
  private readonly specialists = new Map<string, number>();
  private readonly labels = new Map<string, number>();
  /** Metric names seen on any trial (never forgotten, as the table's columns). */
  readonly metricNames = new Set<string>();

  /**
   * @example
   * const rows = new TrialRowsTracker(objective, snapshot.sorted(), snapshot.trials);
   * snapshot.onTrialChange((previous, next) => rows.change(previous, next, snapshot.trials));
   */
  constructor(
    private readonly objective: Objective,
    trials: Iterable<TrialRecord>,
    byId: ReadonlyMap<number, TrialRecord>,
  ) {
    for (const trial of trials) this.change(undefined, trial, byId);
  }

  /** Trial `next.id` changed from `previous` (undefined: new) to `next`; `byId` already holds `next`. */
  change(previous: TrialRecord | undefined, next: TrialRecord, byId: ReadonlyMap<number, TrialRecord>): void {
    this.put(summarizeTrial(next, byId, this.objective));
    for (const name of Object.keys(next.metrics)) this.metricNames.add(name);
    if (previous === undefined && next.parent !== null) {
      const parent = byId.get(next.parent);
      if (parent === undefined || !finished(parent)) this.waiting.set(next.parent, [...(this.waiting.get(next.parent) ?? []), next.id]);
    }
    const children = this.waiting.get(next.id);
    if (children !== undefined && (previous === undefined || previous.score !== next.score || finished(next))) {
      for (const id of children) {
        const child = byId.get(id);
        if (child !== undefined) this.put(summarizeTrial(child, byId, this.objective));
      }
    }
    if (finished(next)) this.waiting.delete(next.id);
  }

  /** The rows in id order (the array is updated in place: copy it to keep it). */
  rows(): readonly TrialSummary[] {
    return this.held;
  }

  /** The specialists and the failure labels of the rows, each sorted. */
  facets(): { specialists: string[]; labels: string[] } {
    return { specialists: [...this.specialists.keys()].sort(), labels: [...this.labels.keys()].sort() };
  }

  private put(row: TrialSummary): void {
    const rows = this.held;
    let at = rows.length;
    if (at > 0 && rows[at - 1]!.id >= row.id) {
      let low = 0;
      while (low < at) {
        const mid = (low + at) >>> 1;
        if (rows[mid]!.id < row.id) low = mid + 1;
        else at = mid;
      }
    }
    const old = rows[at]?.id === row.id ? rows[at]! : undefined;
    if (old) {
      count(this.specialists, old.specialist, -1);
      if (old.label) count(this.labels, old.label, -1);
      rows[at] = row;
    } else if (at === rows.length) rows.push(row);
    else rows.splice(at, 0, row);
    count(this.specialists, row.specialist, 1);
    if (row.label) count(this.labels, row.label, 1);
  }
}

function count(counts: Map<string, number>, key: string, sign: 1 | -1): void {
  const next = (counts.get(key) ?? 0) + sign;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
