/**
 * Polling the store for a trial a worker evaluates (the store has no push channel): until
 * it is recorded, or handed back between fidelity levels; on the driver's second Ctrl-C
 * (`kill`) the trial is recorded `interrupted` unless a worker recorded it first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialRecord } from '../core/trial.ts';
import { isFinished } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';

/** How often the driver looks at a queued trial. */
export const REMOTE_POLL_MS = 500;

/**
 * Waits until trial `trialId` is finished, or `handedBack` says a worker handed it back
 * (a measured fidelity level); returns it as it is then.
 *
 * @example
 * const recorded = await waitForRecord(runtime, 7, kill, 500);
 */
export async function waitForRecord(ctx: Pick<StudyRuntime, 'store' | 'studyId'>, trialId: number, kill: AbortSignal, pollMs: number, handedBack: (trial: TrialRecord) => boolean = () => false): Promise<TrialRecord> {
  for (;;) {
    const current = await ctx.store.getTrial(ctx.studyId, trialId);
    if (current === null) throw new Error(`trial #${trialId} vanished from the store`);
    if (isFinished(current) || handedBack(current)) return current;
    if (kill.aborted) {
      const where = current.owner === null ? 'before any worker claimed it' : `while worker ${current.owner.host}:${current.owner.pid} ran it`;
      try {
        return await ctx.store.finishTrial(
          ctx.studyId,
          trialId,
          { status: 'failed', label: 'interrupted', labelDetail: `the driver was stopped (Ctrl-C twice) ${where}`, metrics: {}, score: null, timings: current.timings, logExcerpt: current.logExcerpt },
          () => false,
        );
      } catch {
        continue; // a worker recorded it first: read that record
      }
    }
    await sleep(pollMs, undefined, { signal: kill }).catch(() => undefined);
  }
}
