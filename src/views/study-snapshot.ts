/**
 * An in-memory snapshot of one study, kept current by reading the store's append-only
 * audit log: every state change of a trial appends an event, so reading the events after
 * the last one seen names exactly the trials to read again. Views computed from the
 * snapshot are cached per revision (the id of the last event applied), which keeps the
 * API fast on studies of ten thousand trials while other processes run them.
 */
import type { Store, StudyEvent } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { TrialRecord } from '../core/trial.ts';

/** Where a trial ran: the slot index and GPU of its `trial.started` event. */
export interface TrialSlot {
  slot: number | null;
  gpu: string | null;
}

const EVENT_PAGE = 20_000;
/** Above this many changed trials in one refresh, all trials are read again at once. */
const RELOAD_THRESHOLD = 500;

export class StudySnapshot {
  readonly trials = new Map<number, TrialRecord>();
  readonly slots = new Map<number, TrialSlot>();
  /** Each trial's events from the audit log, oldest first. */
  readonly trialEvents = new Map<number, StudyEvent[]>();
  /** The id of the last event applied (0 before any). */
  revision = 0;
  /** When the last event applied happened. */
  lastEventAt: string | null = null;
  private readonly memo = new Map<string, { revision: number; value: unknown }>();
  private inFlight: Promise<StudyEvent[]> | null = null;
  private readonly listeners = new Set<(events: StudyEvent[]) => void>();

  private constructor(
    readonly store: Store,
    public study: StudyRecord,
  ) {}

  /** Reads the whole study: its events (slots, per-trial history), then its trials. */
  static async load(store: Store, study: StudyRecord): Promise<StudySnapshot> {
    const snapshot = new StudySnapshot(store, study);
    for (;;) {
      const events = await store.listEvents(study.id, { afterId: snapshot.revision, limit: EVENT_PAGE });
      for (const event of events) snapshot.apply(event);
      if (events.length < EVENT_PAGE) break;
    }
    for (const trial of await store.listTrials(study.id)) snapshot.trials.set(trial.id, trial);
    return snapshot;
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
    if (changed.size > RELOAD_THRESHOLD) {
      for (const trial of await this.store.listTrials(this.study.id)) this.trials.set(trial.id, trial);
    } else {
      for (const id of changed) {
        const trial = await this.store.getTrial(this.study.id, id);
        if (trial) this.trials.set(id, trial);
      }
    }
    for (const listener of this.listeners) listener(fresh);
    return fresh;
  }

  private apply(event: StudyEvent): void {
    this.revision = Math.max(this.revision, event.id);
    this.lastEventAt = event.at;
    if (event.trialId !== null) {
      const list = this.trialEvents.get(event.trialId) ?? [];
      list.push(event);
      this.trialEvents.set(event.trialId, list);
    }
    if (event.trialId === null) {
      if (event.type === 'study.renamed') this.study = { ...this.study, name: event.data.name };
      return;
    }
    if (event.type === 'trial.started') {
      this.slots.set(event.trialId, { slot: event.data.slot ?? null, gpu: event.data.gpu ?? null });
      return;
    }
  }

  /** Calls `listener` with the new events of every refresh, after the trials they name were re-read. */
  subscribe(listener: (events: StudyEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
