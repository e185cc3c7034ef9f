import { AutolabError } from '../core/errors.ts';
import { joinSlotGpus } from '../core/fidelity.ts';

/** One held slot of a SlotPool. Call `release()` exactly when its command is over (extra calls are ignored). */
export interface Slot {
  /** 0-based slot number, stable for the pool's life. */
  index: number;
  /** The GPU this slot owns (for `CUDA_VISIBLE_DEVICES`), or null on a pool without GPUs. */
  gpu: string | null;
  release(): void;
}

interface Waiter {
  /** How many slots the waiter takes at once. */
  count: number;
  resolve(slot: Slot): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A fixed pool of execution slots: at most `size` commands hold a slot at once, and
 * waiters are served first come, first served. Slot `i` owns `gpus[i % gpus.length]`
 * (several slots may share a GPU when there are more slots than GPUs), or no GPU when
 * `gpus` is empty. A freed slot goes to the lowest free index, so GPU use stays stable.
 *
 * @example
 * const pool = new SlotPool(2, ['0', '1']);
 * const slot = await pool.acquire(signal);
 * try { await executor.run({ ...request, env: { ...env, CUDA_VISIBLE_DEVICES: slot.gpu ?? '' } }); }
 * finally { slot.release(); }
 */
export class SlotPool {
  readonly size: number;
  private readonly gpus: readonly string[];
  private readonly free: boolean[];
  private readonly waiters: Waiter[] = [];
  private held = 0;

  constructor(slots: number, gpus: string[] = []) {
    if (!Number.isInteger(slots) || slots < 1) {
      throw new AutolabError('InvalidSlotPool', `a slot pool needs a whole number of slots >= 1 (got ${slots})`, {
        hint: 'set `parallel` (or the number of GPUs) to at least 1',
      });
    }
    this.size = slots;
    this.gpus = [...gpus];
    this.free = Array.from({ length: slots }, () => true);
  }

  /** How many slots are held right now. */
  get inUse(): number {
    return this.held;
  }

  /** How many callers are waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a slot as soon as one is free (waiters are served in order). Rejects
   * with `signal.reason` if `signal` aborts first; the place in the queue is then given up.
   */
  acquire(signal?: AbortSignal): Promise<Slot> {
    return this.acquireMany(1, signal);
  }

  /**
   * Resolves with `count` slots held together as one (a fidelity level that needs two
   * GPUs): the lowest slot's index, the GPUs of all (`'0,1'`), one `release()` for all.
   * Taken at once, never one by one (so two such waiters cannot each hold half), and in
   * turn: slots freed meanwhile are kept for it, not given to later single-slot waiters.
   *
   * @example
   * const pair = await pool.acquireMany(2, signal); // pair.gpu === '0,1'
   */
  acquireMany(count: number, signal?: AbortSignal): Promise<Slot> {
    if (!Number.isInteger(count) || count < 1 || count > this.size) {
      return Promise.reject(new AutolabError('InvalidSlotPool', `cannot hold ${count} slots at once from a pool of ${this.size}`, { hint: 'raise `parallel` to at least the slots a fidelity level asks for' }));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.freeCount() >= count) return Promise.resolve(this.takeMany(count));
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(signal?.reason);
          this.serveWaiters(); // a several-slot waiter that gave up no longer holds back those behind it
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** A free slot now, or null (never waits; leaves queued waiters their turn). */
  tryAcquire(): Slot | null {
    const index = this.free.indexOf(true);
    if (index < 0 || this.waiters.length > 0) return null;
    return this.take(index);
  }

  private freeCount(): number {
    return this.free.filter(Boolean).length;
  }

  /** `count` free slots (the lowest first) as one held slot. */
  private takeMany(count: number): Slot {
    if (count === 1) return this.take(this.free.indexOf(true));
    const parts: Slot[] = [];
    for (let i = 0; i < count; i++) parts.push(this.take(this.free.indexOf(true)));
    return { index: parts[0]!.index, gpu: joinSlotGpus(parts.map((part) => part.gpu)), release: () => parts.forEach((part) => part.release()) };
  }

  private take(index: number): Slot {
    this.free[index] = false;
    this.held += 1;
    let released = false;
    return {
      index,
      gpu: this.gpus.length > 0 ? (this.gpus[index % this.gpus.length] ?? null) : null,
      release: () => {
        if (released) return;
        released = true;
        this.free[index] = true;
        this.held -= 1;
        this.serveWaiters();
      },
    };
  }

  private serveWaiters(): void {
    for (;;) {
      const head = this.waiters[0];
      if (head === undefined || this.freeCount() < head.count) return;
      this.waiters.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve(this.takeMany(head.count));
    }
  }
}
