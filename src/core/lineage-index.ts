/**
 * The study's trials kept up to date one change at a time, with what the lineage
 * feedback reads already indexed: a driver applies the trials that changed since its
 * last proposal (new ones, and unfinished ones that moved on) and reads the feedback
 * without going over the whole study again. Pure: no I/O.
 */
import { keptOrder, leaderboardOrder, lineageFeedbackFrom, type LineageOptions, type LineageSource } from './lineage-feedback.ts';
import type { Objective } from './task.ts';
import type { LineageFailureCause } from './lineage-failures.ts';
import { FailureIndex } from './lineage-failure-index.ts';
import { IdList } from './id-list.ts';
import type { LineageFeedback } from './lineage.ts';
import type { TrialRecord } from './trial.ts';
import type { TrialCounts } from './trial-counts.ts';

const isFinished = (trial: TrialRecord) => trial.status !== 'pending' && trial.status !== 'running';

/** Records an index may drop (`retainRecent`): finished (immutable) and not the baseline; read again on demand. */
const evictable = (trial: TrialRecord) => isFinished(trial) && trial.id !== 0;

/** What the kept lists hold of a kept trial (its record is read by id). */
type KeptEntry = Pick<TrialRecord, 'id' | 'score' | 'finishedAt'>;

/** Loaded records an index holds beside its window before it forgets them all (`feedbackLoading`). */
const PINNED_LIMIT = 2000;

/**
 * Thrown by a bounded index (`retainRecent`) asked for the record of a trial it dropped:
 * `feedbackLoading` catches it, loads `ids` and computes again.
 */
export class EvictedTrials extends Error {
  constructor(readonly ids: readonly number[]) {
    super(`trials ${ids.slice(0, 5).map((id) => `#${id}`).join(', ')}${ids.length > 5 ? ', ...' : ''} are not held in memory: read them from the store (LineageIndex.feedbackLoading)`);
  }
}

/** How a `LineageIndex` keeps its records. */
export interface LineageIndexOptions {
  /**
   * Hold the records of only the newest `retainRecent` trials, the baseline and those
   * in flight (plus the few loaded on demand): the index's memory then stays flat as
   * the study grows (ids, counts, and the kept trials' ids and scores for the rest). Read the
   * feedback with `feedbackLoading`; `trials()` is not available. Default: every record.
   */
  retainRecent?: number;
}

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
  /** Every id, ascending (new trials almost always append; 4 bytes a trial). */
  private readonly ids = new IdList();
  /** Each specialist's ids, ascending. */
  private readonly idsOf = new Map<string, IdList>();
  /** Kept trials, incumbent first (`keptOrder`). */
  private readonly keptByOrder: KeptEntry[] = [];
  /** Kept trials with a score, by score then id, ascending. */
  private readonly keptByScore: KeptEntry[] = [];
  private readonly unfinished = new Set<number>();
  private readonly tally: TrialCounts = { total: 0, kept: 0, discarded: 0, failed: 0, running: 0, byLabel: {} };
  /** Every trial in id order, kept in step with `ids` once built (null: rebuilt when next read). */
  private ordered: TrialRecord[] | null = null;
  /** The failure blocks, kept up to date trial by trial. */
  private readonly failureIndex = new FailureIndex(
    (id) => this.byId(id),
    (ids) => this.require(ids),
  );
  /** With `retainRecent`: how many of `ids` (from the oldest) were considered for dropping. */
  private horizon = 0;
  /** Records of dropped trials loaded again for a feedback (`feedbackLoading`). */
  private readonly pinned = new Map<number, TrialRecord>();
  private readonly retain: number | null;

  constructor(options: LineageIndexOptions = {}) {
    this.retain = options.retainRecent ?? null;
    if (this.retain !== null && !(this.retain >= 1)) throw new RangeError(`retainRecent must be at least 1, got ${this.retain}`);
  }

  /** The highest trial id seen (-1 when empty): read trials after it to catch up. */
  get lastId(): number {
    return this.ids.at(-1) ?? -1;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The window of a bounded index (`LineageIndexOptions.retainRecent`), null when it holds every record. */
  get retainRecent(): number | null {
    return this.retain;
  }

  /** Records held in memory (every trial's, unless bounded by `retainRecent`). */
  get held(): number {
    return this.byIdMap.size + this.pinned.size;
  }

  /** Trials that were pending or running when last applied: the only ones that can still change. */
  unfinishedIds(): number[] {
    return [...this.unfinished].sort((a, b) => a - b);
  }

  /**
   * Adds new trials and replaces the recorded state of known ones. `hold: false` (a
   * bounded index): the finished ones are known to fall outside the window; their
   * records are not held even for a moment (a first refresh catching up on old trials).
   */
  apply(trials: readonly TrialRecord[], options: { hold?: boolean } = {}): void {
    const drop = options.hold === false;
    for (const trial of trials) {
      const before = this.byIdMap.get(trial.id);
      // A dropped trial was finished, and finished trials are immutable: nothing to change.
      if (before === undefined && this.retain !== null && this.isKnown(trial.id)) continue;
      let behind = false;
      if (before !== undefined) {
        this.count(before, -1);
        if (before.status === 'kept') this.unkeep(before);
        this.failureIndex.remove(before);
        if (this.ordered !== null) this.ordered[this.ids.upperBound(trial.id) - 1] = trial;
      } else {
        if (this.ordered !== null && this.retain === null && (this.ids.length === 0 || this.ids.at(-1)! < trial.id)) this.ordered.push(trial);
        else this.ordered = null;
        behind = this.horizon > 0 && trial.id < this.ids.at(this.horizon - 1)!;
        this.ids.insert(trial.id);
        if (behind) this.horizon++;
        let mine = this.idsOf.get(trial.specialist);
        if (mine === undefined) this.idsOf.set(trial.specialist, (mine = new IdList()));
        mine.insert(trial.id);
      }
      this.byIdMap.set(trial.id, trial);
      this.count(trial, 1);
      if (trial.status === 'kept') this.keep(trial);
      this.failureIndex.add(trial);
      if (isFinished(trial)) this.unfinished.delete(trial.id);
      else this.unfinished.add(trial.id);
      this.pinned.delete(trial.id);
      if (this.retain !== null && (drop || behind || this.behindHorizon(trial.id)) && evictable(trial)) this.byIdMap.delete(trial.id);
    }
    this.evict();
  }

  /** Drops the records that left the window of `retainRecent` and will not change. */
  private evict(): void {
    if (this.retain === null) return;
    for (const end = this.ids.length - this.retain; this.horizon < end; this.horizon++) {
      const id = this.ids.at(this.horizon)!;
      const trial = this.byIdMap.get(id);
      if (trial !== undefined && evictable(trial)) this.byIdMap.delete(id);
    }
  }

  private behindHorizon(id: number): boolean {
    return this.horizon > 0 && id <= this.ids.at(this.horizon - 1)!;
  }

  private isKnown(id: number): boolean {
    return this.ids.has(id);
  }

  /** Throws `EvictedTrials` naming every one of `ids` whose record is not held (a bounded index only). */
  private require(ids: readonly number[]): void {
    if (this.retain === null) return;
    const missing = ids.filter((id) => !this.byIdMap.has(id) && !this.pinned.has(id) && this.isKnown(id));
    if (missing.length > 0) throw new EvictedTrials(missing);
  }

  /** Every trial in id order (a fresh array; the records are shared). Not for a bounded index (`retainRecent`). */
  trials(): TrialRecord[] {
    if (this.retain !== null) throw new Error('a bounded LineageIndex (retainRecent) holds only its newest trials: read recentTrials(), or the store');
    this.ordered ??= this.ids.slice().map((id) => this.byIdMap.get(id)!);
    return this.ordered.slice();
  }

  /** The newest `count` trials, oldest first (a bounded index holds at most `retainRecent` of them). */
  recentTrials(count: number): TrialRecord[] {
    if (this.retain !== null && count > this.retain) throw new RangeError(`this index holds the newest ${this.retain} trials, not ${count}`);
    return this.ids.slice(-count).map((id) => this.byIdMap.get(id)!);
  }

  /**
   * The same digest `buildLineageFeedback(index.trials(), options)` gives. A bounded
   * index throws `EvictedTrials` when it needs a record it dropped: use `feedbackLoading`.
   */
  feedback(options: LineageOptions): LineageFeedback {
    return lineageFeedbackFrom(this, options);
  }

  /**
   * `feedback`, loading the records of dropped trials it reads (the viewer's older
   * trials, a failure's hits, a chain's steps) with `load`, a few at a time; they are
   * held until more than 2,000 were loaded.
   *
   * @example
   * const lineage = await index.feedbackLoading(options, (ids) => store.listTrials(studyId, { ids }));
   */
  async feedbackLoading(options: LineageOptions, load: (ids: readonly number[]) => Promise<readonly TrialRecord[]>): Promise<LineageFeedback> {
    if (this.pinned.size > PINNED_LIMIT) this.pinned.clear();
    for (;;) {
      try {
        return this.feedback(options);
      } catch (error) {
        if (!(error instanceof EvictedTrials)) throw error;
        const loaded = await load(error.ids);
        if (!error.ids.every((id) => loaded.some((trial) => trial.id === id))) throw new Error(`the store no longer has trials ${error.ids.join(', ')}`);
        for (const trial of loaded) this.pinned.set(trial.id, trial);
      }
    }
  }

  /** The record of trial `id` (a bounded index throws `EvictedTrials` for one it dropped; `peek` does not). */
  byId(id: number): TrialRecord | undefined {
    const held = this.peek(id);
    if (held === undefined) this.require([id]);
    return held;
  }

  /** The record of trial `id` when held in memory, else undefined. */
  peek(id: number): TrialRecord | undefined {
    return this.byIdMap.get(id) ?? this.pinned.get(id);
  }

  /** The baseline's record, when recorded (a bounded index never drops it). */
  baseline(): TrialRecord | undefined {
    return this.byIdMap.get(0);
  }

  incumbent(): TrialRecord | undefined {
    const first = this.keptByOrder[0];
    return first === undefined ? undefined : this.byId(first.id);
  }

  leaderboard(objective: Objective, count: number): TrialRecord[] {
    const ranked = this.keptByScore;
    let shown: KeptEntry[];
    if (objective.direction === 'minimize') shown = ranked.slice(0, count);
    else {
      // Highest scores first, ties by id: the last `count` and any that tie with the last of them.
      const from = ranked.length - Math.min(count, ranked.length);
      let start = from;
      while (start > 0 && from < ranked.length && ranked[start - 1]!.score === ranked[from]!.score) start--;
      shown = ranked.slice(start).sort(leaderboardOrder(objective)).slice(0, count);
    }
    this.require(shown.map((entry) => entry.id));
    return shown.map((entry) => this.byId(entry.id)!);
  }

  private keep(trial: TrialRecord): void {
    const entry: KeptEntry = { id: trial.id, score: trial.score, finishedAt: trial.finishedAt };
    this.keptByOrder.splice(sortedIndex(this.keptByOrder, entry, keptOrder), 0, entry);
    if (trial.score !== null) this.keptByScore.splice(sortedIndex(this.keptByScore, entry, byScoreThenId), 0, entry);
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
    return this.newest(this.idsOf.get(specialist) ?? new IdList(), count, finishedOnly ? isFinished : () => true);
  }

  failures(): LineageFailureCause[] {
    return this.failureIndex.blocks();
  }

  private newest(ids: IdList, count: number, keep: (trial: TrialRecord) => boolean): TrialRecord[] {
    const found: TrialRecord[] = [];
    for (let i = ids.length - 1; i >= 0 && found.length < count; i--) {
      const trial = this.byId(ids.at(i)!)!;
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

function byScoreThenId(a: KeptEntry, b: KeptEntry): number {
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
