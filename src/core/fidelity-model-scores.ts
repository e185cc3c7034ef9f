/**
 * The scores a model-based knobs sampler ranks trials by on a fidelity ladder, as BOHB
 * does with the scaling model on top: once enough trials reach the full level (knobs + 1,
 * BOHB's `min_points_in_model`), the model is built from full-level scores (trials that
 * stopped below rank after all of them, `modelLevelScores`). Until then, every trial is
 * ranked by its full-level score as the scaling model predicts it from its own levels
 * (`summariseLadder`): a trial measured at s and m extrapolates along its own slope, so a
 * setting that loses at a small scale and wins at full (a wider model) is ranked as it
 * will do at full, not as the proxy says; a trial measured at one level is shifted by the
 * population's amplitude (the same order as its score there). Scores of different levels
 * are never compared raw. Pure: no I/O.
 */
import type { FidelitySpec, TrialLevelRecord } from './fidelity.ts';
import { modelLevelScores, type ModelLevelScores } from './fidelity-model-level.ts';
import { summariseLadder } from './ladder-summary.ts';
import type { Direction } from './task.ts';

/** What `multiFidelityScores` ranks by: `level` scores (BOHB), or `predicted` full-level scores. */
export interface MultiFidelityScores extends ModelLevelScores {
  basis: 'level' | 'predicted';
}

/**
 * Each scored trial's rank score for a sampler's model on a ladder (better as `direction`
 * says): its full-level score where enough trials were measured at full; else its measured
 * full-level score or the scaling model's prediction of it. Null when nothing is scored.
 *
 * @example
 * const ranked = multiFidelityScores(task.fidelity!, records, 'minimize', knobs.length + 1);
 * ranked?.scores.get(7); // 1.31: trial 7's predicted full-level loss (measured at s and m)
 */
export function multiFidelityScores(fidelity: FidelitySpec, records: readonly TrialLevelRecord[], direction: Direction, minPoints: number): MultiFidelityScores | null {
  const byLevel = modelLevelScores(records, direction, minPoints);
  const full = fidelity.levels.length - 1;
  if (byLevel === null || byLevel.level === full) return byLevel === null ? null : { ...byLevel, basis: 'level' };
  const scored = records.filter((record) => record.status === 'scored' && record.score !== null && Number.isFinite(record.score));
  const summary = summariseLadder(fidelity, direction, scored, new Map());
  if (summary.fit === null) return { ...byLevel, basis: 'level' };
  const scores = new Map<number, number>();
  for (const [trialId, trial] of summary.trials) {
    const value = trial.measuredFull ?? trial.predictedFull?.mean ?? null;
    if (value !== null && Number.isFinite(value)) scores.set(trialId, value);
  }
  return { level: byLevel.level, scores, measuredAtLevel: byLevel.measuredAtLevel, basis: 'predicted' };
}
