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
 * SQLite file). With `sameHost` (driver and workers are processes of one host), a SQLite
 * file's queue serves too.
 *
 * @example
 * if (!isQueueStore(store)) throw new AutolabError('UsageError', 'autolab worker needs a store that hosts share');
 */
export function isQueueStore(store: Store, sameHost = false): store is QueueStore {
  return (sameHost || store.sharedAcrossHosts !== false) && typeof store.claimTrial === 'function' && typeof store.renewLease === 'function';
}

/**
 * Whether the worker still holds a trial whose lease it could not renew because it is
 * `pending` between two fidelity levels it measures in one claim (the baseline's ladder), or
 * just handed back to its driver: pending, and owned by this worker (no other worker claims
 * a trial that has an owner).
 *
 * @example if (!renewed.includes(id) && !(await heldBetweenLevels(store, studyId, id, worker))) stop(id);
 */
export async function heldBetweenLevels(store: Pick<Store, 'getTrial'>, studyId: number, trialId: number, worker: TrialOwner): Promise<boolean> {
  const trial = await store.getTrial(studyId, trialId).catch(() => null);
  return trial !== null && trial.status === 'pending' && trial.owner?.token === worker.token;
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
    if (!still.includes(trialId) && !(await heldBetweenLevels(store, studyId, trialId, worker))) throw leaseLostError(studyId, trialId);
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
