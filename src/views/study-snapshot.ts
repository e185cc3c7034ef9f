/**
 * An in-memory snapshot of one study, kept current by reading the store's append-only
 * audit log: every state change of a trial appends an event, so reading the events after
 * the last one seen names exactly the trials to read again. Views computed from the
 * snapshot are cached per revision (the id of the last event applied), which keeps the
 * API fast on large studies while other processes run them.
 *
 * A `light` snapshot (the dashboard's) holds each trial without its bulky columns (the
 * diff, the edit, the log excerpt, the curve, the repeats: `TrialListFilter.light`; what
 * else it leaves out and shares: held-trial.ts) and no events; `full(ids)` and
 * `events(id)` read those from the store when a page needs them.
 * Loading reads the trials and the `trial.started` events (the slots) a page at a time,
 * never the whole audit log.
 */
import type { Store, StudyEvent } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { TrialRecord } from '../core/trial.ts';
import { heldTrial, SlotInterner, StringInterner, type TrialSlot } from './held-trial.ts';

export type { TrialSlot } from './held-trial.ts';


const EVENT_PAGE = 20_000;
/** Trials read per statement while loading. */
const TRIAL_PAGE = 5_000;
/** Above this many changed trials in one refresh, all trials are read again at once. */
const RELOAD_THRESHOLD = 500;

export class StudySnapshot {
  readonly trials = new Map<number, TrialRecord>();
  readonly slots = new Map<number, TrialSlot>();
  /** The id of the last event applied (0 before any). */
  revision = 0;
  /** When the last event applied happened. */
  lastEventAt: string | null = null;
  private readonly memo = new Map<string, { revision: number; value: unknown }>();
  private inFlight: Promise<StudyEvent[]> | null = null;
  private readonly listeners = new Set<(events: StudyEvent[]) => void>();
  private readonly trialListeners = new Set<(previous: TrialRecord | undefined, next: TrialRecord) => void>();
  private readonly strings = new StringInterner();
  private readonly slotRecords = new SlotInterner();

  private constructor(
    readonly store: Store,
    public study: StudyRecord,
    /** True when trials are held without their bulky columns (see the file's comment). */
    readonly light: boolean,
  ) {}

  /**
   * Reads the study: its last event (the revision), the slots of its trials, its trials
   * (`light`: without their bulky columns), a page at a time.
   *
   * @example const snapshot = await StudySnapshot.load(store, study, { light: true });
   */
  static async load(store: Store, study: StudyRecord, options: { light?: boolean } = {}): Promise<StudySnapshot> {
    const snapshot = new StudySnapshot(store, study, options.light === true);
    const [last] = await store.listEvents(study.id, { descending: true, limit: 1 });
    if (last === undefined) return snapshot;
    snapshot.revision = last.id;
    snapshot.lastEventAt = last.at;
    if (!snapshot.light) await snapshot.loadSlots();
    await snapshot.readTrials({});
    return snapshot;
  }

  private slotsRead: Promise<void> | null = null;

  /**
   * Fills `slots` for every trial up to the revision from the `trial.started` events (a
   * light snapshot reads them only when a view needs the slots: the timeline); later
   * events keep them current.
   */
  loadSlots(): Promise<void> {
    this.slotsRead ??= (async () => {
      const upTo = this.revision;
      const read = new Map<number, TrialSlot>();
      for (let after = -1; ; ) {
        const events = await this.store.listEvents(this.study.id, { afterId: after, limit: EVENT_PAGE, types: ['trial.started'] });
        for (const event of events) if (event.id <= upTo && event.type === 'trial.started' && event.trialId !== null) read.set(event.trialId, this.slotRecords.slot(event.data.slot ?? null, event.data.gpu ?? null));
        if (events.length < EVENT_PAGE || events.at(-1)!.id >= upTo) break;
        after = events.at(-1)!.id;
      }
      // A slot already held came from an event applied since (newer than any read here).
      for (const [id, slot] of read) if (!this.slots.has(id)) this.slots.set(id, slot);
    })();
    this.slotsRead.catch(() => {
      this.slotsRead = null;
    });
    return this.slotsRead;
  }

  /** Reads the trials `filter` names (every trial when empty) into the snapshot, a page at a time. */
  private async readTrials(filter: { ids?: readonly number[] }): Promise<void> {
    for (let after = -1; ; ) {
      const page = await this.store.listTrials(this.study.id, { ...filter, afterId: after, limit: TRIAL_PAGE, light: this.light });
      for (const read of page) {
        const trial = this.light ? heldTrial(read, this.strings) : read;
        const previous = this.trials.get(trial.id);
        this.trials.set(trial.id, trial);
        for (const listener of this.trialListeners) listener(previous, trial);
      }
      if (page.length < TRIAL_PAGE) break;
      after = page.at(-1)!.id;
    }
  }

  /**
   * The full records of `ids` (with diff, edit, log excerpt, curve, repeats): read from
   * the store for a light snapshot, else the ones held.
   */
  async full(ids: readonly number[]): Promise<Map<number, TrialRecord>> {
    if (!this.light) return new Map(ids.flatMap((id) => (this.trials.has(id) ? [[id, this.trials.get(id)!] as const] : [])));
    return new Map((await this.store.listTrials(this.study.id, { ids })).map((trial) => [trial.id, trial]));
  }

  /**
   * The stored diffs of `ids` (null where none was recorded; absent for an unknown id): for
   * a light snapshot the store's projected `listTrialDiffs` when it has one (no other
   * column read), else from `full`.
   */
  async diffs(ids: readonly number[]): Promise<Map<number, string | null>> {
    if (this.light && typeof this.store.listTrialDiffs === 'function') {
      return new Map((await this.store.listTrialDiffs(this.study.id, ids)).map((row) => [row.id, row.diff]));
    }
    return new Map([...(await this.full(ids))].map(([id, trial]) => [id, trial.diff]));
  }

  /** Trial `id`'s events from the audit log, oldest first (read from the store). */
  events(id: number): Promise<StudyEvent[]> {
    return this.store.listEvents(this.study.id, { trialId: id, afterId: -1 });
  }

  /**
   * Applies the events appended since the last refresh and re-reads the trials they name.
   * Concurrent calls share one read. Returns the new events.
   */
  refresh(): Promise<StudyEvent[]> {
    this.inFlight ??= this.readNewEvents().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async readNewEvents(): Promise<StudyEvent[]> {
    const fresh: StudyEvent[] = [];
    for (;;) {
      const events = await this.store.listEvents(this.study.id, { afterId: this.revision, limit: EVENT_PAGE });
      fresh.push(...events);
      for (const event of events) this.apply(event);
      if (events.length < EVENT_PAGE) break;
    }
    if (fresh.length === 0) return fresh;
    const changed = new Set<number>();
    for (const event of fresh) if (event.trialId !== null) changed.add(event.trialId);
    await this.readTrials(changed.size > RELOAD_THRESHOLD ? {} : { ids: [...changed].sort((a, b) => a - b) });
    for (const listener of this.listeners) listener(fresh);
    return fresh;
  }

  private apply(event: StudyEvent): void {
    this.revision = Math.max(this.revision, event.id);
    this.lastEventAt = event.at;
    if (event.trialId === null) {
      if (event.type === 'study.renamed') this.study = { ...this.study, name: event.data.name };
      return;
    }
    if (event.type === 'trial.started') {
      this.slots.set(event.trialId, this.slotRecords.slot(event.data.slot ?? null, event.data.gpu ?? null));
      return;
    }
  }

  /** Calls `listener` with the new events of every refresh, after the trials they name were re-read. */
  subscribe(listener: (events: StudyEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` with each trial's record before (undefined when new) and after, as
   * it is read into the snapshot (already in `trials`): what incremental views update from.
   *
   * @example const stop = snapshot.onTrialChange((previous, next) => tracker.change(previous, next, snapshot.trials));
   */
  onTrialChange(listener: (previous: TrialRecord | undefined, next: TrialRecord) => void): () => void {
    this.trialListeners.add(listener);
    return () => this.trialListeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** All trials in id order (cached per revision). */
  sorted(): TrialRecord[] {
    return this.cached('sorted', () => [...this.trials.values()].sort((a, b) => a.id - b.id));
  }

  /** `compute()` once per revision under `key`. */
  cached<T>(key: string, compute: () => T): T {
    const hit = this.memo.get(key);
    if (hit && hit.revision === this.revision) return hit.value as T;
    const value = compute();
    this.memo.set(key, { revision: this.revision, value });
    return value;
  }
}
