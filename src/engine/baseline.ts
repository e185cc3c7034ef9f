import { trialCreatedEvent } from '../core/events.ts';
import { AutolabError } from '../core/errors.ts';
import type { TrialRecord } from '../core/trial.ts';
import { evaluateBaselineLadder } from '../evaluator/evaluate-level.ts';
import { adoptTrial } from '../evaluator/adopt-trial.ts';
import { evaluateTrial } from '../evaluator/evaluate-trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { baselineFailureAdvice } from './baseline-advice.ts';
import { HEARTBEAT_INTERVAL_MS, ownerAlive } from './owner.ts';

const WAIT_MS = 250;

/**
 * Makes sure trial 0 (the unmodified recipe) is measured: measures it when absent,
 * waits when another process is measuring it, and explains what to do when it failed.
 * With `queue` (a driver whose trials run on `autolab worker`s), an absent baseline is
 * queued for a worker instead (no owner) and waited for. A baseline whose driver died
 * while measuring it is adopted when recovery found its jobs (`adopt`), else measured again.
 */
export async function ensureBaseline(ctx: StudyRuntime, signal: AbortSignal, options: { queue?: boolean; adopt?: boolean } = {}): Promise<TrialRecord> {
  if (options.adopt) {
    const orphan = await ctx.store.getTrial(ctx.studyId, 0);
    if (orphan !== null && orphan.finishedAt === null) await measureBaseline(ctx, orphan, signal, true);
  }
  let retried = false;
  for (;;) {
    let baseline = await ctx.store.getTrial(ctx.studyId, 0);
    if (baseline === null) {
      try {
        baseline = await ctx.store.createTrial(ctx.studyId, {
          id: 0,
          specialist: 'baseline',
          parent: null,
          hypothesis: 'baseline: the unmodified recipe',
          seed: ctx.task.seed,
          edit: null,
          owner: options.queue ? null : ctx.owner,
        });
      } catch {
        continue; // another process created it first; wait for it below
      }
      ctx.events.emit('trial.created', trialCreatedEvent(baseline));
      if (!options.queue) baseline = await measureBaseline(ctx, baseline, signal);
    } else if (!options.queue && baseline.finishedAt === null && baseline.owner !== null && !ownerAlive(baseline.owner, baseline.heartbeatAt)) {
      ctx.events.emit('warning', {
        code: 'baseline_remeasured',
        message: `the driver (${baseline.owner.host}:${baseline.owner.pid}) died while measuring the baseline; measuring it again`,
      });
      baseline = await measureBaseline(ctx, baseline, signal);
    }
    if (baseline.status === 'kept' || baseline.status === 'discarded') return baseline;
    // The machine's fault (a wrong partition, a lost node, a dead driver): measured again,
    // like any trial the machine failed, once per call (a second failure stops the study).
    const owner = options.queue ? null : ctx.owner;
    if (baseline.status === 'failed' && !retried && (baseline.label === 'infra_error' || baseline.label === 'interrupted') && (await ctx.store.reopenFailedBaseline?.(ctx.studyId, owner))) {
      retried = true;
      ctx.events.emit('warning', { code: 'baseline_remeasured', message: `the baseline failed through the machine's fault (${baseline.label}: ${baseline.labelDetail ?? ''}); measuring it again` });
      const reopened = await ctx.store.getTrial(ctx.studyId, 0);
      if (!options.queue && reopened !== null && reopened.finishedAt === null) await measureBaseline(ctx, reopened, signal);
      continue;
    }
    if (baseline.status === 'failed') {
      const { message, hint } = baselineFailureAdvice(baseline.label, baseline.labelDetail, ctx.task);
      throw new AutolabError('BaselineError', message, { hint });
    }
    if (signal.aborted) throw new AutolabError('Interrupted', 'stopped while waiting for the baseline');
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  }
}

/**
 * Measures trial 0 with heartbeats (so that no other process takes it for a dead
 * driver's); when another process recorded it first, returns that record.
 */
async function measureBaseline(ctx: StudyRuntime, baseline: TrialRecord, signal: AbortSignal, adopt = false): Promise<TrialRecord> {
  const heartbeat = setInterval(() => void ctx.store.heartbeat(ctx.studyId, [0]).catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  const slot = { index: 0, gpu: ctx.task.gpus[0] ?? null };
  try {
    // With a fidelity ladder the baseline is measured at every level (the reference of each);
    // a dead driver's ladder baseline is measured again from its first level.
    if (ctx.task.fidelity) return await evaluateBaselineLadder(ctx, baseline, slot, signal);
    return await (adopt ? adoptTrial(ctx, baseline, slot, signal) : evaluateTrial(ctx, baseline, slot, signal));
  } catch (error) {
    const recorded = await ctx.store.getTrial(ctx.studyId, 0);
    if (recorded?.finishedAt) return recorded;
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}
