/**
 * A worker on a fidelity ladder (`autolab worker` for a `run --remote` driver whose task has
 * `fidelity:`): each claim is one level of one trial. The level is the one the driver last
 * queued the trial for (`trial.level_queued` in the audit log; none: the first), so a trial
 * re-queued after a dead worker's lease expired is measured again at the same level, never
 * skipped past the promotion rule. The baseline is measured at every level in one claim.
 */
import { slotsOfLevel } from '../core/fidelity.ts';
import type { Store } from '../core/store.ts';
import type { TrialRecord } from '../core/trial.ts';
import { evaluateBaselineLadder, evaluateTrialAtLevel } from '../evaluator/evaluate-level.ts';
import type { SlotInfo, StudyRuntime } from '../evaluator/study-runtime.ts';

/**
 * The level a trial was last queued for: its newest `trial.level_queued` event, one
 * indexed read per claim (`events_by_trial`). Nothing is held between claims: a worker that
 * runs for days keeps no entry per trial (it kept one for every trial queued in the study).
 *
 * @example
 * const queued = new QueuedLevels();
 * const level = await queued.levelOf(store, studyId, 7); // 1 after `trial.level_queued` { level: 1 }
 */
export class QueuedLevels {
  async levelOf(store: Pick<Store, 'listEvents'>, studyId: number, trialId: number): Promise<number> {
    const [event] = await store.listEvents(studyId, { trialId, types: ['trial.level_queued'], descending: true, limit: 1 });
    return event?.type === 'trial.level_queued' ? event.data.level : 0;
  }
}

/** What a worker's claim of a ladder's trial came to. */
export type ClaimedLevelOutcome =
  /** Recorded: failed at the level, judged at the full level, or the baseline. */
  | { kind: 'recorded'; trial: TrialRecord }
  /** Measured below the full level and handed back to its driver (pending, owned by this worker). */
  | { kind: 'measured'; trial: TrialRecord; levelName: string; score: number | null };

/**
 * How many of the worker's slots the claimed level holds (the level's `slots`, at most the
 * worker's own; the baseline, measured at every level, holds the most any level asks for).
 *
 * @example slotsForClaim(task.fidelity, 2, 4, false) // 2 for a level with `slots: 2`
 */
export function slotsForClaim(fidelity: StudyRuntime['task']['fidelity'], level: number, workerSlots: number, baseline: boolean): number {
  if (!fidelity) return 1;
  const wanted = baseline ? Math.max(...fidelity.levels.map((_, index) => slotsOfLevel(fidelity, index))) : slotsOfLevel(fidelity, level);
  return Math.max(1, Math.min(wanted, workerSlots));
}

/**
 * Evaluates the claimed `trial` at `level` (the baseline: at every level) with the same
 * steps as a driver that runs its ladder itself. Never throws for anything a trial does.
 *
 * @example
 * const outcome = await evaluateClaimedLevel(runtime, trial, slot, signal, await queued.levelOf(store, studyId, trial.id));
 */
export async function evaluateClaimedLevel(runtime: StudyRuntime, trial: TrialRecord, slot: SlotInfo, signal: AbortSignal, level: number): Promise<ClaimedLevelOutcome> {
  if (trial.id === 0) return { kind: 'recorded', trial: await evaluateBaselineLadder(runtime, trial, slot, signal) };
  const outcome = await evaluateTrialAtLevel(runtime, trial, slot, signal, level);
  if (outcome.kind === 'finished') return { kind: 'recorded', trial: outcome.trial };
  return { kind: 'measured', trial: outcome.trial, levelName: outcome.level.levelName, score: outcome.level.score };
}
