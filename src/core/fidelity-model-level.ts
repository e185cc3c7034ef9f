/**
 * What a model-based sampler learns from a study on a fidelity ladder, as BOHB does: its
 * model is built from one level, the highest at which enough trials have been measured
 * (scores of different levels are never mixed in one model, since a small proxy's loss
 * is not a full run's). Trials measured at that level are ranked by their score there;
 * trials that stopped below it (not promoted, or not yet) rank after all of them, those
 * that stopped lower after those that stopped higher, and within one level by their score
 * there (as Optuna's TPE ranks pruned trials by their last step, then its value). Pure.
 */
import type { TrialLevelRecord } from './fidelity.ts';
import type { Direction } from './task.ts';

/** The scores a sampler ranks trials by on a ladder. */
export interface ModelLevelScores {
  /** The level the model is built from (index into `fidelity.levels`). */
  level: number;
  /** Each trial with a scored level: a score comparable across the trials of this map (better is as `direction` says). */
  scores: Map<number, number>;
  /** How many trials were measured at `level` itself. */
  measuredAtLevel: number;
}

/**
 * The highest level at which at least `minPoints` trials were scored (BOHB's
 * `min_points_in_model`, the number of knobs plus one); the lowest level when none has
 * that many yet; null when no trial was scored at any level.
 *
 * @example modelLevel(records, 3) // 1: three trials reached m, only two full
 */
export function modelLevel(records: readonly TrialLevelRecord[], minPoints: number): number | null {
  const trialsAt = new Map<number, Set<number>>();
  for (const record of records) {
    if (record.status !== 'scored' || record.score === null || !Number.isFinite(record.score)) continue;
    let set = trialsAt.get(record.level);
    if (!set) trialsAt.set(record.level, (set = new Set()));
    set.add(record.trialId);
  }
  if (trialsAt.size === 0) return null;
  const levels = [...trialsAt.keys()].sort((a, b) => b - a);
  return levels.find((level) => trialsAt.get(level)!.size >= minPoints) ?? levels[levels.length - 1]!;
}

/**
 * The score each trial is ranked by when the model is built from `modelLevel(records,
 * minPoints)`: its score at that level; below it, a score worse than every score at that
 * level, worse still the lower it stopped, ordered within a level by the score there.
 * Trials scored at no level are absent (a sampler treats them as it would without a ladder).
 *
 * @example
 * const { level, scores } = modelLevelScores(records, 'minimize', knobs.length + 1)!;
 */
export function modelLevelScores(records: readonly TrialLevelRecord[], direction: Direction, minPoints: number): ModelLevelScores | null {
  const level = modelLevel(records, minPoints);
  if (level === null) return null;
  const sign = direction === 'minimize' ? 1 : -1;
  // Per trial, its score at each level it was scored at (as a loss: lower is better).
  const byTrial = new Map<number, Map<number, number>>();
  for (const record of records) {
    if (record.status !== 'scored' || record.score === null || !Number.isFinite(record.score)) continue;
    let levels = byTrial.get(record.trialId);
    if (!levels) byTrial.set(record.trialId, (levels = new Map()));
    levels.set(record.level, sign * record.score);
  }
  const atLevel = [...byTrial].filter(([, levels]) => levels.has(level)).map(([, levels]) => levels.get(level)!);
  const worst = atLevel.length > 0 ? Math.max(...atLevel) : 0;
  const best = atLevel.length > 0 ? Math.min(...atLevel) : 0;
  const span = Math.max(worst - best, Math.abs(worst) * 1e-6, 1e-9);
  // Losses of the trials whose highest scored level is h, for their rank within h.
  const stoppedAt = new Map<number, number[]>();
  const highest = new Map<number, number>();
  for (const [trialId, levels] of byTrial) {
    if (levels.has(level)) continue;
    const below = [...levels.keys()].filter((l) => l < level);
    if (below.length === 0) continue; // measured only above the model level: not comparable here
    const h = Math.max(...below);
    highest.set(trialId, h);
    stoppedAt.set(h, [...(stoppedAt.get(h) ?? []), levels.get(h)!]);
  }
  const scores = new Map<number, number>();
  for (const [trialId, levels] of byTrial) {
    let loss: number;
    if (levels.has(level)) loss = levels.get(level)!;
    else {
      const h = highest.get(trialId);
      if (h === undefined) continue;
      const peers = stoppedAt.get(h)!;
      const own = levels.get(h)!;
      const rank = peers.filter((other) => other < own).length / peers.length; // 0: the best that stopped at h
      loss = worst + span * (level - h + rank);
    }
    scores.set(trialId, sign * loss);
  }
  return { level, scores, measuredAtLevel: atLevel.length };
}
