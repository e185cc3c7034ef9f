/**
 * `autolab worker`: evaluates trials that drivers queued (`autolab run --remote`), on
 * any host that shares the store (PostgreSQL) and the task folder (recipe and its
 * `.autolab/` state, on a shared filesystem at the same path). Proposing and running
 * can then live on different machines.
 *
 * A worker claims the oldest queued trial when it has a free slot (`FOR UPDATE SKIP
 * LOCKED`: two workers never claim the same one), takes it through the same
 * `evaluateTrial` as a local driver, and renews its leases every couple of seconds. A
 * worker that dies stops renewing: once its lease expires, the next claim re-queues
 * the trial (once; a second expiry records it `interrupted`). A worker that lost a
 * lease stops that run and records nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AutolabError, coerceError } from '../core/errors.ts';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import type { TrialOwner, TrialRecord } from '../core/trial.ts';
import { evaluateTrial } from '../evaluator/evaluate-trial.ts';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_STALE_MS } from '../engine/owner.ts';
import { openStudy, type Study } from '../engine/open-study.ts';
import { SlotPool, type Slot } from '../scheduler/slot-pool.ts';
import { openStore } from '../store/open-store.ts';
import { loadTaskFile, taskJudgingHash } from '../task/load-task.ts';
import { isQueueStore, leasedStore, type QueueStore } from './leased-store.ts';

/** A worker's lease on a trial lasts this long past its last renewal, by default. */
export const DEFAULT_LEASE_MS = HEARTBEAT_STALE_MS;

export interface WorkerOptions {
  /** The study's task file (or its folder), at the path the driver uses (shared filesystem). */
  taskPath: string;
  /** The shared store, e.g. `postgres://autolab:secret@db:5432/research`. */
  store: string;
  /** Study name (default: the task's `name`). */
  study?: string;
  /** Lease length (default 20 s); renewed every 2 s (or a quarter of it, if shorter). */
  leaseMs?: number;
  /** How often to look for work when the queue is empty (default 1 s). */
  pollMs?: number;
  /** Stop after this long with nothing running and nothing to claim (default: never). */
  idleExitMs?: number;
  /** Stop after claiming this many trials. */
  maxTrials?: number;
  /** Trials at once on this worker (default: the task's `parallel`). */
  parallel?: number;
  /** Aborted: claim nothing more, let running trials finish (first Ctrl-C). */
  stop: AbortSignal;
  /** Aborted: stop running trials; they are recorded `interrupted` (second Ctrl-C). */
  kill: AbortSignal;
  events?: TypedEmitter<StudyEventMap>;
  /** Progress lines (claims, outcomes, lost leases). */
  log?: (line: string) => void;
}

export interface WorkerSummary {
  worker: TrialOwner | null;
  studyName: string;
  stopReason: string;
  /** Trials this worker recorded. */
  recorded: TrialRecord[];
  /** Trials whose lease this worker lost (recovered elsewhere); nothing was recorded for them. */
  lost: number[];
}

function outcomeLine(trial: TrialRecord): string {
  const detail = trial.status === 'failed' ? `${trial.label}${trial.labelDetail ? `: ${trial.labelDetail.split('\n')[0]}` : ''}` : `score ${trial.score}`;
  return `#${trial.id} ${trial.status} (${detail})`;
}

/**
 * Waits until the study exists in the store (a worker may start before its driver) and
 * checks that this worker's task file judges trials as the study does.
 */
async function waitForStudy(options: WorkerOptions, name: string, hash: string, idleDeadline: number): Promise<boolean> {
  const probe = await openStore(options.store);
  try {
    if (!isQueueStore(probe)) {
      throw new AutolabError('UsageError', `the store ${options.store} has no work queue; autolab worker needs a store that hosts share`, {
        hint: 'use a PostgreSQL store: --store postgres://USER:PASSWORD@HOST:5432/DB (the same for the driver and its workers)',
      });
    }
    for (;;) {
      const record = await probe.getStudy(name);
      if (record !== null) {
        if (record.taskHash !== hash) {
          throw new AutolabError('TaskChanged', `this worker's task file judges trials differently from study '${name}' (objective, score, gates, limits, ...)`, {
            hint: 'give the worker the same task file as the driver (--task on the shared filesystem)',
          });
        }
        return true;
      }
      if (options.stop.aborted || Date.now() > idleDeadline) return false;
      await sleep(options.pollMs ?? 1_000, undefined, { signal: options.stop }).catch(() => undefined);
    }
  } finally {
    await probe.close();
  }
}

/**
 * Runs a worker until a stop rule fires (`stop`, `idleExitMs`, `maxTrials`); running
 * trials always finish (or are stopped on `kill`) before it resolves.
 *
 * @example
 * const summary = await runWorker({ taskPath: '/shared/golf', store: 'postgres://…', stop, kill, idleExitMs: 600_000 });
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const log = options.log ?? (() => undefined);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = options.pollMs ?? 1_000;
  if (!Number.isFinite(leaseMs) || leaseMs < 1_000) throw new AutolabError('UsageError', `a lease must last at least 1 s (got ${leaseMs} ms)`);
  const { task } = await loadTaskFile(options.taskPath);
  const name = options.study ?? task.name;
  const startedAt = Date.now();
  const idleDeadline = options.idleExitMs === undefined ? Infinity : startedAt + options.idleExitMs;
  if (!(await waitForStudy(options, name, taskJudgingHash(task), idleDeadline))) {
    return { worker: null, studyName: name, stopReason: options.stop.aborted ? 'stopped by the user' : 'the study never appeared in the store', recorded: [], lost: [] };
  }

  const study: Study = await openStudy(options.taskPath, { store: options.store, study: name, create: false, events: options.events ?? new TypedEmitter<StudyEventMap>() });
  try {
    const store = study.store as QueueStore;
    const context = await study.prepareWorker();
    const worker = context.owner;
    const studyId = study.record.id;
    const slots = new SlotPool(options.parallel ?? study.task.parallel, study.task.gpus);
    const running = new Map<number, { abort: AbortController; work: Promise<void> }>();
    const recorded: TrialRecord[] = [];
    const lost = new Set<number>();
    const guarded = leasedStore(store, worker, (trialId) => running.has(trialId));
    log(`worker ${worker.host}:${worker.pid} on study '${study.name}' · lease ${Math.round(leaseMs / 1000)} s · ${slots.size} slot(s)`);

    const renew = async (): Promise<void> => {
      const ids = [...running.keys()];
      if (ids.length === 0) return;
      const held = new Set(await store.renewLease(studyId, ids, worker));
      for (const id of ids) {
        if (held.has(id) || lost.has(id)) continue;
        lost.add(id);
        log(`#${id}: lease lost (recovered elsewhere or stopped by its driver); stopping this run`);
        running.get(id)?.abort.abort();
      }
    };
    const renewal = setInterval(() => void renew().catch(() => undefined), Math.min(HEARTBEAT_INTERVAL_MS, leaseMs / 4));
    renewal.unref();

    let lastBusy = Date.now();
    let claimed = 0;
    let stopReason: string | null = null;
    let wake: () => void = () => undefined;
    const onKill = () => {
      for (const { abort } of running.values()) abort.abort();
    };
    options.kill.addEventListener('abort', onKill, { once: true });

    const run = (trial: TrialRecord, slot: Slot): void => {
      const abort = new AbortController();
      if (options.kill.aborted) abort.abort();
      log(`claimed #${trial.id} (${trial.specialist}: ${trial.hypothesis.split('\n')[0]})`);
      const work = (async () => {
        // A worktree left by a worker that died on this trial (same shared folder).
        await context.workspace.removeWorktree(context.paths.worktreeName(trial.id)).catch(() => undefined);
        const finished = await evaluateTrial({ ...context, store: guarded, slots }, trial, { index: slot.index, gpu: slot.gpu }, abort.signal);
        recorded.push(finished);
        log(outcomeLine(finished));
      })()
        .catch((error: unknown) => {
          const err = coerceError(error);
          if (err.name === 'LeaseLost' || lost.has(trial.id)) {
            lost.add(trial.id);
            log(`#${trial.id}: not recorded by this worker (${err.message})`);
          } else {
            options.events?.emit('warning', { code: 'record_failed', message: `trial #${trial.id} could not be recorded: ${err.message}` });
            log(`#${trial.id}: could not be recorded: ${err.message}`);
          }
        })
        .finally(() => {
          slot.release();
          running.delete(trial.id);
          lastBusy = Date.now();
          wake();
        });
      running.set(trial.id, { abort, work });
    };

    try {
      for (;;) {
        if (options.stop.aborted || options.kill.aborted) stopReason ??= 'stopped by the user';
        if (options.maxTrials !== undefined && claimed >= options.maxTrials) stopReason ??= `--max-trials ${options.maxTrials} reached`;
        if (stopReason !== null) break;
        const slot = await slots.acquire(options.stop).catch(() => null);
        if (slot === null) continue;
        let trial: TrialRecord | null = null;
        try {
          trial = await store.claimTrial(studyId, worker, leaseMs);
        } catch (error) {
          log(`could not claim: ${coerceError(error).message}`);
        }
        if (trial !== null) {
          claimed++;
          lastBusy = Date.now();
          run(trial, slot);
          continue;
        }
        slot.release();
        if (options.idleExitMs !== undefined && running.size === 0 && Date.now() - lastBusy >= options.idleExitMs) {
          // Idle means the study has nothing in flight: a trial under another worker's lease
          // comes back to the queue if that worker died, and must not be left unclaimed.
          const inFlight = await store.countTrials(studyId, { status: ['pending', 'running'] }).catch(() => 0);
          if (inFlight === 0) {
            stopReason = `idle for ${Math.round(options.idleExitMs / 1000)} s`;
            break;
          }
        }
        // Sleep until the next poll, or until a running trial finishes (its parent may unlock work).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          options.stop.addEventListener('abort', wake, { once: true });
        });
        options.stop.removeEventListener('abort', wake);
      }
      while (running.size > 0) await Promise.all([...running.values()].map((entry) => entry.work));
    } finally {
      clearInterval(renewal);
      options.kill.removeEventListener('abort', onKill);
    }
    return { worker, studyName: study.name, stopReason, recorded, lost: [...lost].sort((a, b) => a - b) };
  } finally {
    await study.close();
  }
}
