/**
 * A worker's view of the store: writes to a trial it claimed (`updateTrial`,
 * `finishTrial`) first renew its lease, and are refused when the lease is lost (the
 * trial was recovered and re-queued, or recorded by its driver). So a worker that
 * stalled past its lease never records over another worker's run.
 */
import { AutolabError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import type { TrialOwner } from '../core/trial.ts';

/** Stores with a work queue (`claimTrial` and `renewLease` present). */
export type QueueStore = Store & Required<Pick<Store, 'claimTrial' | 'renewLease'>>;

/**
 * Whether remote workers can share `store`'s work queue: it has one, and processes on
 * several hosts can share the store (`sharedAcrossHosts` not false: PostgreSQL, not a
 * SQLite file).
 *
 * @example
 * if (!isQueueStore(store)) throw new AutolabError('UsageError', 'autolab worker needs a store that hosts share');
 */
export function isQueueStore(store: Store): store is QueueStore {
  return store.sharedAcrossHosts !== false && typeof store.claimTrial === 'function' && typeof store.renewLease === 'function';
}

/** The error a write on a lost lease throws. */
export function leaseLostError(studyId: number, trialId: number): AutolabError {
  return new AutolabError('LeaseLost', `worker lost its lease on trial #${trialId} of study ${studyId}: it was recovered or recorded elsewhere; this run's result is dropped`);
}

/**
 * `store`, with `updateTrial` and `finishTrial` on the trials in `held` guarded by a
 * lease renewal just before the write (the lease then lasts a whole lease length, far
 * longer than the write). Everything else passes through.
 *
 * @example
 * const guarded = leasedStore(store, worker, (id) => running.has(id));
 * await evaluateTrial({ ...runtime, store: guarded }, trial, slot, signal);
 */
export function leasedStore(store: QueueStore, worker: TrialOwner, held: (trialId: number) => boolean): Store {
  const guard = async (studyId: number, trialId: number): Promise<void> => {
    if (!held(trialId)) return;
    const still = await store.renewLease(studyId, [trialId], worker);
    if (!still.includes(trialId)) throw leaseLostError(studyId, trialId);
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'updateTrial') {
        return async (...args: Parameters<Store['updateTrial']>) => {
          await guard(args[0], args[1]);
          return target.updateTrial(...args);
        };
      }
      if (property === 'finishTrial') {
        return async (...args: Parameters<Store['finishTrial']>) => {
          await guard(args[0], args[1]);
          return target.finishTrial(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
