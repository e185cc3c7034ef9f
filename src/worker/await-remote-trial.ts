/**
 * The driver's side of remote workers (`autolab run --remote`): a queued trial is waited
 * for until a worker records it. On the second Ctrl-C (`kill`) the driver records its
 * trials still in flight as `interrupted`; a worker that holds one notices when it next
 * renews its lease, stops the run and records nothing.
 */
import { trialFinishedEvent } from '../core/events.ts';
import type { RemoteTrials } from '../scheduler/driver.ts';
import { awaitRemoteLevel, type RemoteContext } from './await-remote-level.ts';
import { REMOTE_POLL_MS as REMOTE_POLL_MS_DEFAULT, waitForRecord } from './wait-for-record.ts';

export { REMOTE_POLL_MS } from './wait-for-record.ts';

/**
 * What the driver's `remote` option takes (`study.run({ remote: true })`): waits for a queued trial's record and
 * emits `trial:finished` for the progress display; given the driver's `owner` and `task`,
 * also a ladder's levels measured on workers (`awaitLevel`, ./await-remote-level.ts).
 *
 * @example
 * await driveStudy(runtime, specialists, { stop, kill, remote: remoteTrials(runtime) });
 */
export function remoteTrials(ctx: Pick<RemoteContext, 'store' | 'studyId' | 'events'> & Partial<RemoteContext>, pollMs = REMOTE_POLL_MS_DEFAULT): RemoteTrials {
  const { owner, task } = ctx;
  return {
    async awaitTrial(trial, kill) {
      const recorded = await waitForRecord(ctx, trial.id, kill, pollMs);
      ctx.events.emit('trial.finished', trialFinishedEvent(recorded));
      return recorded;
    },
    // A ladder's levels: with the driver's identity (it takes measured trials back) and its task.
    ...(owner !== undefined && task !== undefined && { awaitLevel: (trial, level, kill) => awaitRemoteLevel({ ...ctx, owner, task }, trial, level, kill, pollMs) }),
  };
}
