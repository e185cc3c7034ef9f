/**
 * The driver's side of remote workers (`autolab run --remote`): a queued trial is waited
 * for until a worker records it. On the second Ctrl-C (`kill`) the driver records its
 * trials still in flight as `interrupted`; a worker that holds one notices when it next
 * renews its lease, stops the run and records nothing.
 */
import { trialFinishedEvent } from '../core/events.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialRecord } from '../core/trial.ts';
import { isFinished } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';

/** How often the driver looks at a queued trial (the store has no push channel). */
export const REMOTE_POLL_MS = 500;

/**
 * What the driver's `remote` option takes (`study.run({ remote: true })`): waits for a queued trial's record and
 * emits `trial:finished` for the progress display.
 *
 * @example
 * await driveStudy(runtime, specialists, { stop, kill, remote: remoteTrials(runtime) });
 */
export function remoteTrials(ctx: Pick<StudyRuntime, 'store' | 'studyId' | 'events'>, pollMs = REMOTE_POLL_MS): { awaitTrial(trial: TrialRecord, kill: AbortSignal): Promise<TrialRecord> } {
  return {
    async awaitTrial(trial, kill) {
      const recorded = await waitForRecord(ctx, trial.id, kill, pollMs);
      ctx.events.emit('trial.finished', trialFinishedEvent(recorded));
      return recorded;
    },
  };
}

async function waitForRecord(ctx: Pick<StudyRuntime, 'store' | 'studyId'>, trialId: number, kill: AbortSignal, pollMs: number): Promise<TrialRecord> {
  for (;;) {
    const current = await ctx.store.getTrial(ctx.studyId, trialId);
    if (current === null) throw new Error(`trial #${trialId} vanished from the store`);
    if (isFinished(current)) return current;
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
