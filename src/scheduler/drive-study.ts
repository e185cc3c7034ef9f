/**
 * The scheduler's main loop: specialists think while trials run. Each round decides
 * whether to stop (`nextStopReason`), starts trials on free slots (`fillSlots`), asks
 * free specialists for more proposals (`requestProposals`), then sleeps until something
 * changes; `drainAndStop` lets running trials finish. Library users drive a study
 * through `study.run()`, which calls this.
 */
import type { Specialist } from '../core/specialist.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { isIdle, nextStopReason, roomLeft, stopWith } from './driver-state.ts';
import { openDriver, stopRequested, type Driver, type DriveOptions } from './driver.ts';
import { adoptTrials } from './adopt-steps.ts';
import { dropProposal, requestProposals } from './proposal-steps.ts';
import { adoptClimbingTrials, decideUndecided, startPromotions } from './ladder-steps.ts';
import { fillSlots } from './trial-steps.ts';

export { MACHINE_FAULTS_BEFORE_STOP } from './driver-state.ts';
export type { DriveOptions, RemoteTrials } from './driver.ts';

export interface DriveSummary {
  stopReason: string;
  /** Trials this drive created (retries included). */
  trialsRun: number;
  baseline: TrialRecord;
  incumbent: TrialRecord;
  elapsedMs: number;
}

/** How often running trials' heartbeats and the study's elapsed time are written. */
const HEARTBEAT_MS = 2_000;

/**
 * Drives a prepared study until a stop rule fires. Proposals are made ahead (each
 * specialist one at a time, at most `maxWaiting` waiting) and every free slot takes the
 * oldest waiting proposal. Running trials always finish (or are killed on `kill`) before
 * this resolves; proposals still waiting then are dropped (recorded in the audit log,
 * never run).
 *
 * @example
 * const summary = await driveStudy(runtime, specialists, { stop, kill, trials: 5 });
 */
export async function driveStudy(runtime: StudyRuntime, specialists: Specialist[], options: DriveOptions): Promise<DriveSummary> {
  const driver = await openDriver(runtime, specialists, options);
  const onStop = () => {
    driver.proposalAbort.abort();
    driver.wakeup.wake();
  };
  options.stop.addEventListener('abort', onStop, { once: true });
  options.kill.addEventListener('abort', onStop, { once: true });
  const stopHeartbeat = startHeartbeat(driver);
  await adoptClimbingTrials(driver);
  adoptTrials(driver, options.adopt ?? []);
  try {
    await drainAndStop(driver, await driveUntilStopped(driver));
  } finally {
    options.stop.removeEventListener('abort', onStop);
    options.kill.removeEventListener('abort', onStop);
    await stopHeartbeat();
  }
  const stopReason = driver.state.stopReason!;
  const incumbent = (await runtime.store.getIncumbent(runtime.studyId)) ?? driver.baseline;
  runtime.events.emit('study.stopped', { reason: stopReason });
  return { stopReason, trialsRun: driver.state.sessionTrials, baseline: driver.baseline, incumbent, elapsedMs: Math.round(performance.now() - driver.startedAt) };
}

/** The rounds of the loop, until the state has a stop reason (returned). */
async function driveUntilStopped(driver: Driver): Promise<string> {
  const { state, runtime, options } = driver;
  for (;;) {
    stopWith(state, nextStopReason(state, stopContext(driver)));
    if (state.stopReason !== null) return state.stopReason;
    await fillSlots(driver);
    requestProposals(driver);
    if (isIdle(state)) {
      if (roomLeft(state, runtime.task.budget, options) <= 0) continue; // a trial limit is reached: the stop rule fires next round
      stopWith(state, 'no specialist could be given the next proposal');
      return state.stopReason ?? 'no specialist could be given the next proposal';
    }
    if (!stopRequested(driver)) await driver.wakeup.wait();
  }
}

function stopContext(driver: Driver): Parameters<typeof nextStopReason>[1] {
  const sessionElapsedMs = performance.now() - driver.startedAt;
  return {
    budget: driver.runtime.task.budget,
    limits: driver.options,
    stopped: stopRequested(driver),
    specialists: driver.specialists.length,
    studyElapsedMs: driver.priorElapsedMs + sessionElapsedMs,
    sessionElapsedMs,
  };
}

/**
 * Stops: sessions in progress are aborted, waiting proposals dropped (recorded in the
 * audit log), and running trials and proposals still in the making finish.
 */
export async function drainAndStop(driver: Driver, reason: string): Promise<void> {
  const { state, runtime } = driver;
  driver.proposalAbort.abort();
  runtime.events.emit('study.stopping', { reason, force: driver.options.kill.aborted });
  for (const item of state.waiting.splice(0)) await dropProposal(driver, item.proposal, reason);
  // No level fills any more: trials waiting for their level to hold `min_rung` results are decided against it as it stands.
  await decideUndecided(driver);
  // Promoted trials still climb (a budget reached must not strand the best ones below the full level); not once the user stops.
  while (state.running.size > 0 || state.proposing.size > 0 || (state.promotions.length > 0 && !stopRequested(driver))) {
    await startPromotions(driver);
    await Promise.race([...[...state.running].map((run) => run.done), driver.wakeup.wait()]);
  }
}

/**
 * Every couple of seconds: the heartbeats of the trials this driver evaluates and of the
 * promotions and undecided trials waiting here (queued trials' heartbeats are their workers' leases: never
 * renewed here) and the study's
 * elapsed time. The returned function stops it and writes the last stretch of time.
 */
function startHeartbeat(driver: Driver): () => Promise<void> {
  const { store, studyId } = driver.runtime;
  let lastMark = performance.now();
  const addElapsed = (): Promise<void> => {
    const now = performance.now();
    const ms = Math.round(now - lastMark);
    lastMark = now;
    return store.addElapsed(studyId, ms).catch(() => undefined);
  };
  const timer = setInterval(() => {
    // With workers, running trials are theirs (leases); promotions waiting here are this driver's.
    const running = driver.options.remote ? [] : [...driver.state.running].map((run) => run.trialId);
    const waiting = [...driver.state.promotions, ...driver.state.undecided].map((p) => p.trialId);
    void store.heartbeat(studyId, [...running, ...waiting]).catch(() => undefined);
    void addElapsed();
  }, HEARTBEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await addElapsed();
  };
}
