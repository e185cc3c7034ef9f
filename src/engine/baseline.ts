import { AutolabError } from '../core/errors.ts';
import type { TrialRecord } from '../core/trial.ts';
import { evaluateBaselineLadder } from '../evaluator/evaluate-level.ts';
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
 * while measuring it (recovery leaves it unfinished) is measured again.
 */
export async function ensureBaseline(ctx: StudyRuntime, signal: AbortSignal, options: { queue?: boolean } = {}): Promise<TrialRecord> {
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
      ctx.events.emit('trial:created', { trial: baseline });
      if (!options.queue) baseline = await measureBaseline(ctx, baseline, signal);
    } else if (!options.queue && baseline.finishedAt === null && baseline.owner !== null && !ownerAlive(baseline.owner, baseline.heartbeatAt)) {
      ctx.events.emit('warning', {
        code: 'baseline_remeasured',
        message: `the driver (${baseline.owner.host}:${baseline.owner.pid}) died while measuring the baseline; measuring it again`,
      });
      baseline = await measureBaseline(ctx, baseline, signal);
    }
    if (baseline.status === 'kept' || baseline.status === 'discarded') return baseline;
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
async function measureBaseline(ctx: StudyRuntime, baseline: TrialRecord, signal: AbortSignal): Promise<TrialRecord> {
  const heartbeat = setInterval(() => void ctx.store.heartbeat(ctx.studyId, [0]).catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  try {
    const slot = { index: 0, gpu: ctx.task.gpus[0] ?? null };
    // With a fidelity ladder the baseline is measured at every level (the reference of each).
    return ctx.task.fidelity ? await evaluateBaselineLadder(ctx, baseline, slot, signal) : await evaluateTrial(ctx, baseline, slot, signal);
  } catch (error) {
    const recorded = await ctx.store.getTrial(ctx.studyId, 0);
    if (recorded?.finishedAt) return recorded;
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}
