/**
 * The driver's side of a fidelity ladder on remote workers (`autolab run --remote` with a
 * `fidelity:` task). The driver keeps deciding promotions; workers measure levels:
 *
 * - A new trial is queued (pending, no owner) and the worker that claims it measures it at
 *   the first level. A promoted trial is queued again for its next level: a
 *   `trial.level_queued` event names the level, then the trial goes back to the queue.
 * - A worker that measured a level below the full one hands the trial back: `pending`,
 *   still owned by the worker (so no other worker claims it), its level stored. The driver
 *   sees it, takes it over (owned by the driver, which heartbeats it while it waits for the
 *   promotion rule) and decides. A level that failed, or the full level, is recorded by the
 *   worker itself (acceptance included), as a trial without a ladder is.
 * - A worker that dies mid-level loses nothing recorded: its lease expires and the trial
 *   is queued again at the same level (the levels below stay stored; with `continue`, the
 *   artifacts kept for the level are found again on the shared folder).
 */
import { trialFinishedEvent } from '../core/events.ts';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { TrialRecord } from '../core/trial.ts';
import { isFinished } from '../core/trial.ts';
import type { LevelOutcome } from '../evaluator/evaluate-level.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { waitForRecord } from './wait-for-record.ts';

/** What the driver's remote side reads and writes. */
export type RemoteContext = Pick<StudyRuntime, 'store' | 'studyId' | 'events' | 'owner' | 'task'>;

/**
 * Queues `trial` for fidelity `level` (above the first) and waits for a worker's
 * measurement: the trial finished (failed at the level, or judged at the full level), or
 * measured and handed back, then owned by this driver.
 *
 * @example
 * const outcome = await awaitRemoteLevel(runtime, trial, 1, kill, 500);
 */
export async function awaitRemoteLevel(ctx: RemoteContext, trial: TrialRecord, level: number, kill: AbortSignal, pollMs: number): Promise<LevelOutcome> {
  if (level > 0) await queueLevel(ctx, trial, level);
  const current = await waitForRecord(ctx, trial.id, kill, pollMs, (seen) => handedBack(ctx, seen));
  const measured = await levelRecordOf(ctx, trial.id, level);
  if (isFinished(current)) {
    ctx.events.emit('trial.finished', trialFinishedEvent(current));
    return { kind: 'finished', trial: current, level: measured };
  }
  if (measured === null || measured.status !== 'scored') throw new Error(`trial #${trial.id} came back from its worker without a score at fidelity level ${level}`);
  // Ours again: heartbeated by this driver while the promotion rule decides (a dead driver's is adopted by the next).
  await ctx.store.updateTrial(ctx.studyId, trial.id, { owner: ctx.owner });
  return { kind: 'measured', trial: { ...current, owner: ctx.owner }, level: measured };
}

/**
 * A worker measured the trial's level and handed it back: pending, owned by someone else
 * than this driver (a queued trial has no owner; one this driver holds has its owner).
 */
function handedBack(ctx: RemoteContext, trial: TrialRecord): boolean {
  return trial.status === 'pending' && trial.owner !== null && trial.owner.token !== ctx.owner.token;
}

/** The `trial.level_queued` event (what the claiming worker runs), then the trial back to the queue. */
async function queueLevel(ctx: RemoteContext, trial: TrialRecord, level: number): Promise<void> {
  const levelName = ctx.task.fidelity!.levels[level]!.name;
  await ctx.store.appendEvent(ctx.studyId, trial.id, 'trial.level_queued', { level, levelName });
  await ctx.store.updateTrial(ctx.studyId, trial.id, { status: 'pending', owner: null });
}

async function levelRecordOf(ctx: RemoteContext, trialId: number, level: number): Promise<TrialLevelRecord | null> {
  const records = (await ctx.store.listTrialLevels?.(ctx.studyId, [trialId])) ?? [];
  return records.find((record) => record.level === level) ?? null;
}
