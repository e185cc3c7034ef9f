import { AutolabError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import type { TaskSpec } from '../core/task.ts';
import { isQueueStore } from '../worker/leased-store.ts';
import type { WorkOptions } from '../worker/work-study.ts';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_STALE_MS } from './owner.ts';

/** A worker's lease on a trial lasts this long past its last renewal, by default. */
export const DEFAULT_LEASE_MS = HEARTBEAT_STALE_MS;

/** What `study.work()` takes; every key is optional. */
export interface StudyWorkOptions {
  /** Aborted: claim nothing more, let running trials finish (first Ctrl-C). Default: never. */
  stop?: AbortSignal;
  /** Aborted: stop running trials; they are recorded `interrupted` (second Ctrl-C). Default: never. */
  kill?: AbortSignal;
  /** Lease length (default 20 s, at least 1 s); renewed every 2 s (or a quarter of it, if shorter). */
  leaseMs?: number;
  /** How often to look for work when the queue is empty (default 1 s). */
  pollMs?: number;
  /** Stop after this long with nothing running and nothing to claim (default: never). */
  idleExitMs?: number;
  /** Stop after claiming this many trials. */
  maxTrials?: number;
  /** Trials at once on this worker (default: the task's `parallel`). */
  parallel?: number;
  /** Progress lines (claims, outcomes, lost leases). */
  log?: (line: string) => void;
  /** The driver and its workers are processes of this host: a SQLite store's queue serves (default: a store hosts share). */
  sameHost?: boolean;
}

/** Throws a `UsageError` for a lease shorter than 1 s (check before waiting for a study). */
export function checkLease(leaseMs: number | undefined): void {
  if (leaseMs === undefined) return;
  if (!Number.isFinite(leaseMs) || leaseMs < 1_000) throw new AutolabError('UsageError', `a lease must last at least 1 s (got ${leaseMs} ms)`);
}

/** Throws a `UsageError` unless `store` holds a work queue that hosts share (PostgreSQL). */
export function assertQueueStore(store: Store, location: string, sameHost = false): asserts store is Store & Required<Pick<Store, 'claimTrial' | 'renewLease'>> {
  if (isQueueStore(store, sameHost)) return;
  throw new AutolabError('UsageError', `the store ${location} has no work queue; autolab worker needs a store that hosts share`, {
    hint: 'use a PostgreSQL store: --store postgres://USER:PASSWORD@HOST:5432/DB (the same for the driver and its workers)',
  });
}

/** The worker loop's options for a `study.work()` call, with the defaults filled in. */
export function workOptionsFor(task: TaskSpec, store: Store, options: StudyWorkOptions, location = 'of this study'): WorkOptions {
  checkLease(options.leaseMs);
  assertQueueStore(store, location, options.sameHost ?? false);
  const never = new AbortController().signal;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  return {
    store,
    stop: options.stop ?? never,
    kill: options.kill ?? never,
    leaseMs,
    renewEveryMs: Math.min(HEARTBEAT_INTERVAL_MS, leaseMs / 4),
    pollMs: options.pollMs ?? 1_000,
    parallel: options.parallel ?? task.parallel,
    log: options.log ?? (() => undefined),
    ...(options.idleExitMs !== undefined ? { idleExitMs: options.idleExitMs } : {}),
    ...(options.maxTrials !== undefined ? { maxTrials: options.maxTrials } : {}),
  };
}
