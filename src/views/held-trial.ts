/**
 * What a light snapshot (the dashboard's) holds of each trial: the record without the
 * columns no view reads from it (the trial and session pages read the full record from
 * the store): the log excerpt, the tree, the label's detail, the owner, the heartbeat,
 * the edit, the diff, the repeats and the curve. Short strings that repeat across trials
 * (specialist, status, label, the failure's signature and summary, a slot's GPU) are
 * shared, one copy per distinct value, so a large study holds each once instead of once
 * per trial. Measured at 100,000 trials: about a quarter of the records' heap.
 */
import type { TrialRecord } from '../core/trial.ts';

/** Where a trial ran: the slot index and GPU of its `trial.started` event. */
export interface TrialSlot {
  slot: number | null;
  gpu: string | null;
}

/** Distinct values kept per interner; past this, values are held as read (never unbounded). */
const INTERN_LIMIT = 4_096;

/** One shared copy of each distinct short string (at most INTERN_LIMIT of them). */
export class StringInterner {
  private readonly values = new Map<string, string>();

  intern<T extends string | null>(value: T): T {
    if (value === null) return value;
    const held = this.values.get(value);
    if (held !== undefined) return held as T;
    if (this.values.size < INTERN_LIMIT) this.values.set(value, value);
    return value;
  }
}

const NO_REPEATS: TrialRecord['repeats'] = Object.freeze([]) as unknown as TrialRecord['repeats'];
const NO_CURVE: TrialRecord['curve'] = Object.freeze([]) as unknown as TrialRecord['curve'];

/**
 * `trial` as a light snapshot holds it (changed in place: the record was just read).
 *
 * @example const held = heldTrial(read, interner);
 */
export function heldTrial(trial: TrialRecord, strings: StringInterner): TrialRecord {
  trial.logExcerpt = '';
  trial.tree = null;
  trial.labelDetail = null;
  trial.owner = null;
  trial.heartbeatAt = null;
  trial.edit = null;
  trial.diff = null;
  trial.repeats = NO_REPEATS;
  trial.curve = NO_CURVE;
  trial.specialist = strings.intern(trial.specialist);
  trial.status = strings.intern(trial.status);
  trial.label = strings.intern(trial.label);
  if (trial.failure !== null) {
    trial.failure.signature = strings.intern(trial.failure.signature);
    trial.failure.summary = strings.intern(trial.failure.summary);
  }
  return trial;
}

/**
 * Shared slot records: one object per distinct (slot, GPU) pair, so the slots of 100,000
 * trials on 8 slots hold 8 objects (at most INTERN_LIMIT pairs are shared).
 */
export class SlotInterner {
  private readonly pairs = new Map<string, TrialSlot>();

  slot(slot: number | null, gpu: string | null): TrialSlot {
    const key = `${slot ?? ''}|${gpu ?? ''}`;
    const held = this.pairs.get(key);
    if (held !== undefined) return held;
    const made: TrialSlot = Object.freeze({ slot, gpu });
    if (this.pairs.size < INTERN_LIMIT) this.pairs.set(key, made);
    return made;
  }
}
