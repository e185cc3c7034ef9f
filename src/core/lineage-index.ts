/**
 * The study's trials kept up to date one change at a time, with what the lineage
 * feedback reads already indexed: a driver applies the trials that changed since its
 * last proposal (new ones, and unfinished ones that moved on) and reads the feedback
 * without going over the whole study again. Pure: no I/O.
 */
import { keptOrder, leaderboardOrder, lineageFeedbackFrom, type LineageOptions, type LineageSource } from './lineage-feedback.ts';
import type { Objective } from './task.ts';
import { failureBlocks, type LineageFailureCause } from './lineage-failures.ts';
import { knobValuesInNotes, type NotedKnobValues } from './trial-change.ts';
import { failureOf } from './trial-failure.ts';
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
  private ordered: TrialRecord[] | null = null;
  private failureBlocks: LineageFailureCause[] | null = null;
  /** Knob values noted by each trial that has some (parsed once). */
  private readonly knobs = new Map<number, NotedKnobValues>();
  /** Failed trials' ids by failure signature, ascending; and each one's signature. */
  private readonly failedIds = new Map<string, number[]>();
  private readonly signatureOf = new Map<number, string>();
  /** Scored trials with knob values, ascending ids. */
  private readonly scoredWithKnobs: number[] = [];

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
        if (before.notes !== trial.notes) this.knobs.delete(trial.id);
        this.forgetFailureFacts(before);
      }
      else {
        insertSorted(this.ids, trial.id);
        let mine = this.idsOf.get(trial.specialist);
        if (mine === undefined) this.idsOf.set(trial.specialist, (mine = []));
        insertSorted(mine, trial.id);
      }
      this.byIdMap.set(trial.id, trial);
      this.count(trial, 1);
      if (trial.status === 'kept') this.keep(trial);
      this.noteFailureFacts(trial);
      if (isFinished(trial)) this.unfinished.delete(trial.id);
      else this.unfinished.add(trial.id);
    }
    if (trials.length > 0) {
      this.ordered = null;
      this.failureBlocks = null;
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
    this.failureBlocks ??= failureBlocks({
      groups: new Map([...this.failedIds].map(([signature, ids]) => [signature, ids.map((id) => this.byIdMap.get(id)!)])),
      scored: this.scoredWithKnobs.map((id) => this.byIdMap.get(id)!),
      byId: (id) => this.byIdMap.get(id),
      knobs: this.knobs,
    });
    return this.failureBlocks;
  }

  /** Files `trial` under its failure signature, and as a scored trial with knob values (what `failures` reads). */
  private noteFailureFacts(trial: TrialRecord): void {
    if (!this.knobs.has(trial.id)) {
      const values = knobValuesInNotes(trial.notes);
      if (values !== null) this.knobs.set(trial.id, values);
    }
    const failure = failureOf(trial);
    if (failure !== null) {
      let ids = this.failedIds.get(failure.signature);
      if (ids === undefined) this.failedIds.set(failure.signature, (ids = []));
      insertSorted(ids, trial.id);
      this.signatureOf.set(trial.id, failure.signature);
    }
    if ((trial.status === 'kept' || trial.status === 'discarded') && trial.score !== null && this.knobs.has(trial.id)) insertSorted(this.scoredWithKnobs, trial.id);
  }

  /** Undoes `noteFailureFacts` for the recorded state of a trial that changed. */
  private forgetFailureFacts(trial: TrialRecord): void {
    const signature = this.signatureOf.get(trial.id);
    if (signature !== undefined) {
      const ids = this.failedIds.get(signature)!;
      ids.splice(ids.indexOf(trial.id), 1);
      if (ids.length === 0) this.failedIds.delete(signature);
      this.signatureOf.delete(trial.id);
    }
    const at = this.scoredWithKnobs.indexOf(trial.id);
    if (at >= 0) this.scoredWithKnobs.splice(at, 1);
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

/** Inserts `id` into the ascending `ids` (at the end, in the usual case). */
function insertSorted(ids: number[], id: number): void {
  if (ids.length === 0 || ids[ids.length - 1]! < id) {
    ids.push(id);
    return;
  }
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ids[mid]! < id) low = mid + 1;
    else high = mid;
  }
  ids.splice(low, 0, id);
}
