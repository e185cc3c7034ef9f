/**
 * The study's trials kept up to date one change at a time, with what the lineage
 * feedback reads already indexed: a driver applies the trials that changed since its
 * last proposal (new ones, and unfinished ones that moved on) and reads the feedback
 * without going over the whole study again. Pure: no I/O.
 */
import { keptOrder, leaderboardOrder, lineageFeedbackFrom, type LineageOptions, type LineageSource } from './lineage-feedback.ts';
import type { Objective } from './task.ts';
import type { LineageFailureCause } from './lineage-failures.ts';
import { FailureIndex, insertSorted } from './lineage-failure-index.ts';
import type { LineageFeedback } from './lineage.ts';
import type { TrialRecord } from './trial.ts';
import type { TrialCounts } from './trial-counts.ts';

const isFinished = (trial: TrialRecord) => trial.status !== 'pending' && trial.status !== 'running';

/**
 * @example
 * const index = new LineageIndex();
 * index.apply(await store.listTrials(studyId));
 * // later: only what changed
 * index.apply(await store.listTrials(studyId, { afterId: index.lastId }));
 * index.apply(await store.listTrials(studyId, { ids: index.unfinishedIds() }));
 * const lineage = index.feedback({ study: 'golf', objective, viewer: 'tuner' });
 */
export class LineageIndex implements LineageSource {
  private readonly byIdMap = new Map<number, TrialRecord>();
  /** Every id, ascending (new trials almost always append). */
  private readonly ids: number[] = [];
  /** Each specialist's ids, ascending. */
  private readonly idsOf = new Map<string, number[]>();
  /** Kept trials, incumbent first (`keptOrder`). */
  private readonly keptByOrder: TrialRecord[] = [];
  /** Kept trials with a score, by score then id, ascending. */
  private readonly keptByScore: TrialRecord[] = [];
  private readonly unfinished = new Set<number>();
  private readonly tally: TrialCounts = { total: 0, kept: 0, discarded: 0, failed: 0, running: 0, byLabel: {} };
  /** Every trial in id order, kept in step with `ids` once built (null: rebuilt when next read). */
  private ordered: TrialRecord[] | null = null;
  /** The failure blocks, kept up to date trial by trial. */
  private readonly failureIndex = new FailureIndex((id) => this.byIdMap.get(id));

  /** The highest trial id seen (-1 when empty): read trials after it to catch up. */
  get lastId(): number {
    return this.ids.at(-1) ?? -1;
  }

  get size(): number {
    return this.byIdMap.size;
  }

  /** Trials that were pending or running when last applied: the only ones that can still change. */
  unfinishedIds(): number[] {
    return [...this.unfinished].sort((a, b) => a - b);
  }

  /** Adds new trials and replaces the recorded state of known ones. */
  apply(trials: readonly TrialRecord[]): void {
    for (const trial of trials) {
      const before = this.byIdMap.get(trial.id);
      if (before !== undefined) {
        this.count(before, -1);
        if (before.status === 'kept') this.unkeep(before);
        this.failureIndex.remove(before);
        if (this.ordered !== null) this.ordered[sortedIndex(this.ids, trial.id, (a, b) => a - b) - 1] = trial;
      } else {
        if (this.ordered !== null && (this.ids.length === 0 || this.ids.at(-1)! < trial.id)) this.ordered.push(trial);
        else this.ordered = null;
        insertSorted(this.ids, trial.id);
        let mine = this.idsOf.get(trial.specialist);
        if (mine === undefined) this.idsOf.set(trial.specialist, (mine = []));
        insertSorted(mine, trial.id);
      }
      this.byIdMap.set(trial.id, trial);
      this.count(trial, 1);
      if (trial.status === 'kept') this.keep(trial);
      this.failureIndex.add(trial);
      if (isFinished(trial)) this.unfinished.delete(trial.id);
      else this.unfinished.add(trial.id);
    }
  }

  /** Every trial in id order (a fresh array; the records are shared). */
  trials(): TrialRecord[] {
    this.ordered ??= this.ids.map((id) => this.byIdMap.get(id)!);
    return this.ordered.slice();
  }

  /** The same digest `buildLineageFeedback(index.trials(), options)` gives. */
  feedback(options: LineageOptions): LineageFeedback {
    return lineageFeedbackFrom(this, options);
  }

  byId(id: number): TrialRecord | undefined {
    return this.byIdMap.get(id);
  }

  incumbent(): TrialRecord | undefined {
    return this.keptByOrder[0];
  }

  leaderboard(objective: Objective, count: number): TrialRecord[] {
    const ranked = this.keptByScore;
    if (objective.direction === 'minimize') return ranked.slice(0, count);
    // Highest scores first, ties by id: the last `count` and any that tie with the last of them.
    const from = ranked.length - Math.min(count, ranked.length);
    let start = from;
    while (start > 0 && from < ranked.length && ranked[start - 1]!.score === ranked[from]!.score) start--;
    return ranked.slice(start).sort(leaderboardOrder(objective)).slice(0, count);
  }

  private keep(trial: TrialRecord): void {
    this.keptByOrder.splice(sortedIndex(this.keptByOrder, trial, keptOrder), 0, trial);
    if (trial.score !== null) this.keptByScore.splice(sortedIndex(this.keptByScore, trial, byScoreThenId), 0, trial);
  }

  private unkeep(trial: TrialRecord): void {
    for (const list of [this.keptByOrder, this.keptByScore]) {
      const at = list.findIndex((other) => other.id === trial.id);
      if (at >= 0) list.splice(at, 1);
    }
  }

  counts(): TrialCounts {
    return { ...this.tally, byLabel: { ...this.tally.byLabel } };
  }

  recent(count: number): TrialRecord[] {
    return this.newest(this.ids, count, (trial) => trial.id !== 0);
  }

  newestOf(specialist: string, count: number, finishedOnly: boolean): TrialRecord[] {
    return this.newest(this.idsOf.get(specialist) ?? [], count, finishedOnly ? isFinished : () => true);
  }

  failures(): LineageFailureCause[] {
    return this.failureIndex.blocks();
  }

  private newest(ids: readonly number[], count: number, keep: (trial: TrialRecord) => boolean): TrialRecord[] {
    const found: TrialRecord[] = [];
    for (let i = ids.length - 1; i >= 0 && found.length < count; i--) {
      const trial = this.byIdMap.get(ids[i]!)!;
      if (keep(trial)) found.push(trial);
    }
    return found;
  }

  /** Adds (`sign` 1) or removes (-1) a trial's part of the counts (`countTrials`' rules). */
  private count(trial: TrialRecord, sign: 1 | -1): void {
    if (trial.id === 0) return;
    const tally = this.tally;
    tally.total += sign;
    if (trial.status === 'kept') tally.kept += sign;
    else if (trial.status === 'discarded') tally.discarded += sign;
    else if (trial.status === 'failed') tally.failed += sign;
    else tally.running += sign;
    if (trial.label) {
      const n = (tally.byLabel[trial.label] ?? 0) + sign;
      if (n === 0) delete tally.byLabel[trial.label];
      else tally.byLabel[trial.label] = n;
    }
  }
}

function byScoreThenId(a: TrialRecord, b: TrialRecord): number {
  return a.score! - b.score! || a.id - b.id;
}

/** Where `item` goes in `list`, sorted by `order` (after equal items). */
function sortedIndex<T>(list: readonly T[], item: T, order: (a: T, b: T) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (order(list[mid]!, item) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
