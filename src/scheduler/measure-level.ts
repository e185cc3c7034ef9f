/**
 * Where a trial's fidelity level is measured: in this process (`evaluateTrialAtLevel`), or,
 * when the driver's trials run on `autolab worker`s (`run --remote`), on the worker that
 * claims the level from the queue (`RemoteTrials.awaitLevel`). Either way the driver gets
 * the same `LevelOutcome` and decides the promotion itself.
 */
import type { TrialRecord } from '../core/trial.ts';
import { evaluateTrialAtLevel, type LevelOutcome } from '../evaluator/evaluate-level.ts';
import type { SlotInfo } from '../evaluator/study-runtime.ts';
import type { Driver } from './driver.ts';

/**
 * Measures `trial` at fidelity `level` here or on a worker.
 *
 * @example
 * const outcome = await measureLevel(driver, trial, { index: 0, gpu: null }, 1);
 * if (outcome.kind === 'measured') console.log(outcome.level.score);
 */
export function measureLevel(driver: Driver, trial: TrialRecord, slot: SlotInfo, level: number): Promise<LevelOutcome> {
  const { remote, kill } = driver.options;
  if (remote?.awaitLevel) return remote.awaitLevel(trial, level, kill);
  return evaluateTrialAtLevel({ ...driver.runtime, slots: driver.slots }, trial, slot, kill, level);
}
