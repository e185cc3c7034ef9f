/**
 * Write-behind progress writes of one store (`ProgressWriteOptions.writeBehind`, a trial
 * started): queued in this process, then committed with the store's next write
 * transaction of the same study (before its own statements), before a read of this
 * process that could see them, or when `PROGRESS_WRITE_DELAY_MS` has passed, whichever
 * comes first. So the write that marks a trial started rides in the transaction of the
 * write that stores what it materialised (one commit instead of two), and the evaluator
 * does not wait for it.
 */
import type { TrialProgress, TrialProgressEvent } from '../../core/store.ts';

/** How long a queued progress write waits at most for a transaction to ride in. */
export const PROGRESS_WRITE_DELAY_MS = 100;

/** Commits a queued write may fail before it is dropped (its trial's next write says what is wrong). */
const MAX_ATTEMPTS = 3;

/** One queued `updateTrial`. */
export interface QueuedProgress {
  studyId: number;
  trialId: number;
  progress: TrialProgress;
  event: TrialProgressEvent | undefined;
  /** Transactions that carried it and failed. */
  attempts: number;
}

/**
 * The queue, the writes being committed now, and the timer that commits them when no
 * transaction comes. Not thread-safe beyond Node's single thread (nothing else is).
 *
 * @example
 * const queue = new ProgressQueue(() => void store.flushProgress());
 * queue.add({ studyId: 1, trialId: 7, progress: { status: 'running' }, event: undefined, attempts: 0 });
 * const carried = queue.take(1); // into the next transaction of study 1
 */
export class ProgressQueue {
  private queued: QueuedProgress[] = [];
  /** Transactions under way that carry queued writes, with what they carry. */
  private readonly inFlight = new Map<Promise<unknown>, QueuedProgress[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** Called when queued writes have waited `delayMs`: commit them. */
    private readonly onDue: () => void,
    private readonly delayMs = PROGRESS_WRITE_DELAY_MS,
  ) {}

  /** Nothing queued and nothing being committed. */
  get idle(): boolean {
    return this.queued.length === 0 && this.inFlight.size === 0;
  }

  add(write: QueuedProgress): void {
    this.queued.push(write);
    this.arm();
  }

  /** The studies with queued writes. */
  studies(): number[] {
    return [...new Set(this.queued.map((write) => write.studyId))];
  }

  /** Whether a write about any of `trialIds` of the study is queued or being committed. */
  holds(studyId: number, trialIds: Iterable<number>): boolean {
    const ids = new Set(trialIds);
    if (ids.size === 0) return false;
    const about = (write: QueuedProgress) => write.studyId === studyId && ids.has(write.trialId);
    return this.queued.some(about) || [...this.inFlight.values()].some((writes) => writes.some(about));
  }

  /** Whether a queued or committing write of the study changes one of `fields`. */
  changes(studyId: number, fields: ReadonlyArray<keyof TrialProgress>): boolean {
    const touches = (write: QueuedProgress) => write.studyId === studyId && fields.some((field) => write.progress[field] !== undefined);
    return this.queued.some(touches) || [...this.inFlight.values()].some((writes) => writes.some(touches));
  }

  /** Removes and returns the study's queued writes, in the order they were queued. */
  take(studyId: number): QueuedProgress[] {
    const taken = this.queued.filter((write) => write.studyId === studyId);
    if (taken.length === 0) return taken;
    this.queued = this.queued.filter((write) => write.studyId !== studyId);
    if (this.queued.length === 0) this.disarm();
    return taken;
  }

  /**
   * Follows `commit`, the transaction carrying `writes`: while it runs, `settled` waits
   * for it; if it fails, the writes go back to the front of the queue (dropped after
   * MAX_ATTEMPTS failed commits), unless `committed()` says the transaction had committed
   * before the failure (a write that ended its transaction early, then refused: `SqlSession.final`).
   */
  async carry<T>(commit: Promise<T>, writes: QueuedProgress[], committed: () => boolean = () => false): Promise<T> {
    if (writes.length === 0) return commit;
    this.inFlight.set(commit, writes);
    try {
      return await commit;
    } catch (error) {
      if (committed()) throw error;
      const again = writes.map((write) => ({ ...write, attempts: write.attempts + 1 })).filter((write) => write.attempts < MAX_ATTEMPTS);
      if (again.length > 0) {
        this.queued = [...again, ...this.queued];
        this.arm();
      }
      throw error;
    } finally {
      this.inFlight.delete(commit);
    }
  }

  /** Whether a transaction carrying writes of the study is under way. */
  carrying(studyId: number): boolean {
    return [...this.inFlight.values()].some((writes) => writes.some((write) => write.studyId === studyId));
  }

  /** Resolves once every transaction carrying queued writes has ended (committed or not). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.keys()]);
  }

  /** Stops the timer (the store is closing; it commits what is queued first). */
  stop(): void {
    this.disarm();
  }

  private arm(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onDue();
    }, this.delayMs);
    // A queued write never keeps a process alive: closing the store commits it.
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}
