/**
 * `autolab worker`: evaluates trials that drivers queued (`autolab run --remote`), on
 * any host that shares the store (PostgreSQL) and the task folder (recipe and its
 * `.autolab/` state, on a shared filesystem at the same path). Proposing and running
 * can then live on different machines. Library users call `study.work()`.
 *
 * A worker claims the oldest queued trial when it has a free slot (`FOR UPDATE SKIP
 * LOCKED`: two workers never claim the same one), takes it through the same
 * `evaluateTrial` as a local driver, and renews its leases every couple of seconds. A
 * worker that dies stops renewing: once its lease expires, the next claim re-queues
 * the trial (once; a second expiry records it `interrupted`). A worker that lost a
 * lease stops that run and records nothing.
 *
 * On a fidelity ladder each claim is one level of one trial (./claimed-level.ts): the
 * worker measures it and hands it back to its driver, which decides the promotion and
 * queues the next level; a failed level or the full level is recorded here.
 */
import { failureLine } from '../core/trial-failure.ts';
import { coerceError } from '../core/errors.ts';
import type { TrialOwner, TrialRecord } from '../core/trial.ts';
import { RECENT_TRIALS } from '../core/trial-history.ts';
import { evaluateTrial } from '../evaluator/evaluate-trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { SlotPool, type Slot } from '../scheduler/slot-pool.ts';
import { heldBetweenLevels, leasedStore, type QueueStore } from './leased-store.ts';
import { evaluateClaimedLevel, QueuedLevels, slotsForClaim } from './claimed-level.ts';

/** The worker loop's settings (`study.work()` fills in the defaults). */
export interface WorkOptions {
  /** The shared store, with its work queue. */
  store: QueueStore;
  /** Aborted: claim nothing more, let running trials finish (first Ctrl-C). */
  stop: AbortSignal;
  /** Aborted: stop running trials; they are recorded `interrupted` (second Ctrl-C). */
  kill: AbortSignal;
  leaseMs: number;
  /** How often leases are renewed. */
  renewEveryMs: number;
  /** How often to look for work when the queue is empty. */
  pollMs: number;
  /** Stop after this long with nothing running and nothing to claim. */
  idleExitMs?: number;
  /** Stop after claiming this many trials. */
  maxTrials?: number;
  /** Trials at once on this worker. */
  parallel: number;
  /** Progress lines (claims, outcomes, lost leases). */
  log: (line: string) => void;
}

export interface WorkerSummary {
  worker: TrialOwner | null;
  studyName: string;
  stopReason: string;
  /**
   * Trials this worker recorded: the newest `RECENT_TRIALS` (1,000) records, oldest first
   * (a worker that runs for days holds no more); `recordedCount` counts them all.
   */
  recorded: TrialRecord[];
  /** How many trials this worker recorded. */
  recordedCount: number;
  /** Trials whose lease this worker lost (recovered elsewhere); nothing was recorded for them. */
  lost: number[];
  /** On a fidelity ladder: levels this worker measured below the full level and handed back to their driver. */
  levelsMeasured: number;
}

/** What the worker knows; changed only by the steps below. */
interface Worker {
  runtime: StudyRuntime;
  options: WorkOptions;
  slots: SlotPool;
  /** The store as this worker writes it: every write to a held trial renews its lease first. */
  guarded: StudyRuntime['store'];
  running: Map<number, { abort: AbortController; done: Promise<void> }>;
  recorded: TrialRecord[];
  recordedCount: number;
  lost: Set<number>;
  claimed: number;
  /** Fidelity levels measured here and handed back to their driver (not yet recorded trials). */
  levelsMeasured: number;
  /** On a fidelity ladder: the level each claimed trial was queued for. */
  queuedLevels: QueuedLevels;
  /** `Date.now()` when the worker last had something to do. */
  lastBusy: number;
  wake: () => void;
}

/**
 * Claims and evaluates queued trials until a stop rule fires (`stop`, `idleExitMs`,
 * `maxTrials`); running trials always finish (or are stopped on `kill`) before it resolves.
 *
 * @example
 * const summary = await workStudy(runtime, { store, stop, kill, leaseMs: 20_000, renewEveryMs: 2_000, pollMs: 1_000, parallel: 2, log: console.log });
 */
export async function workStudy(runtime: StudyRuntime, options: WorkOptions): Promise<WorkerSummary> {
  const running: Worker['running'] = new Map();
  const worker: Worker = {
    runtime,
    options,
    slots: new SlotPool(options.parallel, runtime.task.gpus),
    guarded: leasedStore(options.store, runtime.owner, (trialId) => running.has(trialId)),
    running,
    recorded: [],
    recordedCount: 0,
    lost: new Set(),
    claimed: 0,
    levelsMeasured: 0,
    queuedLevels: new QueuedLevels(),
    lastBusy: Date.now(),
    wake: () => undefined,
  };
  options.log(`worker ${runtime.owner.host}:${runtime.owner.pid} on study '${runtime.studyName}' · lease ${Math.round(options.leaseMs / 1000)} s · ${worker.slots.size} slot(s)`);
  const renewal = setInterval(() => void renewLeases(worker).catch(() => undefined), options.renewEveryMs);
  renewal.unref();
  const onKill = () => {
    for (const { abort } of worker.running.values()) abort.abort();
  };
  options.kill.addEventListener('abort', onKill, { once: true });
  let stopReason: string;
  try {
    stopReason = await claimUntilStopped(worker);
    while (worker.running.size > 0) await Promise.all([...worker.running.values()].map((entry) => entry.done));
  } finally {
    clearInterval(renewal);
    options.kill.removeEventListener('abort', onKill);
  }
  return { worker: runtime.owner, studyName: runtime.studyName, stopReason, recorded: worker.recorded, recordedCount: worker.recordedCount, lost: [...worker.lost].sort((a, b) => a - b), levelsMeasured: worker.levelsMeasured };
}

/** Claims a trial for every free slot, sleeping between polls, until a stop rule fires (returned). */
async function claimUntilStopped(worker: Worker): Promise<string> {
  const { options } = worker;
  for (;;) {
    const stop = stopReasonOf(worker);
    if (stop !== null) return stop;
    const slot = await worker.slots.acquire(options.stop).catch(() => null);
    if (slot === null) continue;
    const trial = await claimNext(worker);
    if (trial !== null) {
      runClaimed(worker, trial, slot);
      continue;
    }
    slot.release();
    const idle = await idleReason(worker);
    if (idle !== null) return idle;
    await sleepUntilPoll(worker);
  }
}

/** The user stopped the worker, or it claimed `maxTrials`; null to go on. */
export function stopReasonOf(worker: Pick<Worker, 'options' | 'claimed'>): string | null {
  const { options } = worker;
  if (options.stop.aborted || options.kill.aborted) return 'stopped by the user';
  if (options.maxTrials !== undefined && worker.claimed >= options.maxTrials) return `--max-trials ${options.maxTrials} reached`;
  return null;
}

/** The oldest queued trial, claimed for this worker (counted), or null. */
async function claimNext(worker: Worker): Promise<TrialRecord | null> {
  const { runtime, options } = worker;
  try {
    const trial = await options.store.claimTrial(runtime.studyId, runtime.owner, options.leaseMs);
    if (trial !== null) {
      worker.claimed++;
      worker.lastBusy = Date.now();
    }
    return trial;
  } catch (error) {
    options.log(`could not claim: ${coerceError(error).message}`);
    return null;
  }
}

/**
 * `idleExitMs` passed with nothing running here, and the study has nothing in flight: a
 * trial under another worker's lease comes back to the queue if that worker died, and
 * must not be left unclaimed.
 */
async function idleReason(worker: Worker): Promise<string | null> {
  const { idleExitMs } = worker.options;
  if (idleExitMs === undefined || worker.running.size > 0 || Date.now() - worker.lastBusy < idleExitMs) return null;
  const inFlight = await worker.options.store.countTrials(worker.runtime.studyId, { status: ['pending', 'running'] }).catch(() => 0);
  return inFlight === 0 ? `idle for ${Math.round(idleExitMs / 1000)} s` : null;
}

/** Sleeps until the next poll, or until a running trial finishes (its parent may unlock work), or `stop`. */
async function sleepUntilPoll(worker: Worker): Promise<void> {
  const { stop, pollMs } = worker.options;
  let wake: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, pollMs);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
    worker.wake = wake;
    stop.addEventListener('abort', wake, { once: true });
  });
  stop.removeEventListener('abort', wake);
}

/** Evaluates a claimed trial in its slot; records nothing when the lease was lost. */
function runClaimed(worker: Worker, trial: TrialRecord, slot: Slot): void {
  const { runtime, options } = worker;
  const abort = new AbortController();
  if (options.kill.aborted) abort.abort();
  options.log(`claimed #${trial.id} (${trial.specialist}: ${trial.hypothesis.split('\n')[0]})`);
  let held = slot;
  const done = (async () => {
    // A worktree left by a worker that died on this trial (same shared folder).
    await runtime.workspace.removeWorktree(runtime.paths.worktreeName(trial.id)).catch(() => undefined);
    const jobRuntime = { ...runtime, store: worker.guarded, slots: worker.slots };
    if (!runtime.task.fidelity) {
      const finished = await evaluateTrial(jobRuntime, trial, { index: slot.index, gpu: slot.gpu }, abort.signal);
      noteRecorded(worker, finished);
      return;
    }
    const level = trial.id === 0 ? 0 : await worker.queuedLevels.levelOf(options.store, runtime.studyId, trial.id);
    held = await widenSlot(worker, slot, slotsForClaim(runtime.task.fidelity, level, worker.slots.size, trial.id === 0), abort.signal);
    const outcome = await evaluateClaimedLevel(jobRuntime, trial, { index: held.index, gpu: held.gpu }, abort.signal, level);
    if (outcome.kind === 'recorded') noteRecorded(worker, outcome.trial);
    else {
      worker.levelsMeasured++;
      options.log(`#${trial.id} measured at fidelity level ${outcome.levelName} (score ${outcome.score}); handed back to its driver`);
    }
  })()
    .catch((error: unknown) => noteUnrecorded(worker, trial.id, error))
    .finally(() => {
      held.release();
      worker.running.delete(trial.id);
      worker.lastBusy = Date.now();
      worker.wake();
    });
  worker.running.set(trial.id, { abort, done });
}

function noteRecorded(worker: Worker, finished: TrialRecord): void {
  worker.recorded.push(finished);
  worker.recordedCount++;
  if (worker.recorded.length > RECENT_TRIALS) worker.recorded.shift();
  worker.options.log(outcomeLine(finished));
}

/** The claimed slot, widened to `count` slots held together (a fidelity level with `slots:`); the one slot when `count` is 1. */
async function widenSlot(worker: Worker, slot: Slot, count: number, signal: AbortSignal): Promise<Slot> {
  if (count <= 1) return slot;
  slot.release();
  return worker.slots.acquireMany(count, signal);
}

function noteUnrecorded(worker: Worker, trialId: number, error: unknown): void {
  const err = coerceError(error);
  if (err.name === 'LeaseLost' || worker.lost.has(trialId)) {
    worker.lost.add(trialId);
    worker.options.log(`#${trialId}: not recorded by this worker (${err.message})`);
    return;
  }
  worker.runtime.events.emit('warning', { code: 'record_failed', message: `trial #${trialId} could not be recorded: ${err.message}` });
  worker.options.log(`#${trialId}: could not be recorded: ${err.message}`);
}

/** Renews the leases of the trials running here; a lease lost stops that run. */
async function renewLeases(worker: Worker): Promise<void> {
  const ids = [...worker.running.keys()];
  if (ids.length === 0) return;
  const held = new Set(await worker.options.store.renewLease(worker.runtime.studyId, ids, worker.runtime.owner));
  for (const id of ids) {
    if (held.has(id) || worker.lost.has(id)) continue;
    if (await heldBetweenLevels(worker.options.store, worker.runtime.studyId, id, worker.runtime.owner)) continue;
    worker.lost.add(id);
    worker.options.log(`#${id}: lease lost (recovered elsewhere or stopped by its driver); stopping this run`);
    worker.running.get(id)?.abort.abort();
  }
}

function outcomeLine(trial: TrialRecord): string {
  const detail = trial.status === 'failed' ? (failureLine(trial) ?? String(trial.label)) : `score ${trial.score}`;
  return `#${trial.id} ${trial.status} (${detail})`;
}
