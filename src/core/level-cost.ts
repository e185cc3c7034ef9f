/**
 * The cost model of a fidelity ladder: what one run at each level costs, measured (the
 * mean run time of the study's measurements there, the baseline's included) or, for a
 * level nobody has run yet, scaled from the nearest measured level by the levels' scales
 * (a run's cost grows with its scale). Shown before a promotion (`trial.promoted` carries
 * the next level's expected run time) and checked after it (`trial.level_measured`
 * carries the measured one). On a continued ladder (`continue: true`) a run at a level above
 * the first costs only its increment, so a level's size is its scale minus the scale below. Pure.
 */
import type { FidelitySpec, TrialLevelRecord } from './fidelity.ts';

/** The expected cost of one run at a level. */
export interface LevelCost {
  level: number;
  name: string;
  /** Measurements at this level so far. */
  measured: number;
  /** Expected run time of one measurement, in ms, or null before any level was measured. */
  expectedMs: number | null;
  /** `measured`: the mean of this level's measurements; `scaled`: from another level's, by scale; null: unknown. */
  source: 'measured' | 'scaled' | null;
}

/**
 * The expected run time of one measurement at every level of the ladder.
 *
 * @example
 * levelCosts(task.fidelity, records).map((cost) => cost.expectedMs) // [1200, 3500, 11800]
 */
export function levelCosts(fidelity: Pick<FidelitySpec, 'levels' | 'continueRuns'>, records: readonly TrialLevelRecord[]): LevelCost[] {
  const size = (level: number) => levelSize(fidelity, level);
  const measured = fidelity.levels.map((_, level) => records.filter((record) => record.level === level && record.runMs > 0).map((record) => record.runMs));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return fidelity.levels.map((spec, level) => {
    const own = measured[level]!;
    if (own.length > 0) return { level, name: spec.name, measured: own.length, expectedMs: mean(own), source: 'measured' };
    // The nearest measured level (the closer in scale, the better the guess).
    let nearest: number | null = null;
    for (let other = 0; other < fidelity.levels.length; other++) {
      if (measured[other]!.length === 0) continue;
      if (nearest === null || Math.abs(Math.log(size(other) / size(level))) < Math.abs(Math.log(size(nearest) / size(level)))) nearest = other;
    }
    if (nearest === null) return { level, name: spec.name, measured: 0, expectedMs: null, source: null };
    return { level, name: spec.name, measured: 0, expectedMs: (mean(measured[nearest]!) * size(level)) / size(nearest), source: 'scaled' };
  });
}

/**
 * What one run at `level` does, in scale units: its scale, or on a continued ladder its
 * increment over the level below (a positive number: scales grow along the ladder).
 *
 * @example levelSize({ levels: [{ scale: 0.1 }, { scale: 0.3 }], continueRuns: true }, 1) // 0.2
 */
export function levelSize(fidelity: { levels: ReadonlyArray<{ scale: number }>; continueRuns?: boolean }, level: number): number {
  const scale = fidelity.levels[level]!.scale;
  return fidelity.continueRuns === true && level > 0 ? scale - fidelity.levels[level - 1]!.scale : scale;
}

/**
 * The expected run time of a trial's climb from `fromLevel` (included) to the full level, in
 * ms, or null when a level's cost is unknown.
 *
 * @example expectedClimbMs(levelCosts(fidelity, records), 1) // m + full
 */
export function expectedClimbMs(costs: readonly LevelCost[], fromLevel: number): number | null {
  let total = 0;
  for (const cost of costs.slice(fromLevel)) {
    if (cost.expectedMs === null) return null;
    total += cost.expectedMs;
  }
  return total;
}

/** A proposal's predicted run time at one level (the only level, `run`, without a ladder). */
export interface PredictedLevelCost {
  level: number;
  levelName: string;
  /** Expected run time of one run there, ms; null while nothing was measured to scale from. */
  expectedRunMs: number | null;
}

/**
 * A proposal's expected run time at each level: its parent's measured run time there (else
 * the level's mean times the parent's speed at the levels it ran, kept within ×½..×2), times
 * the diff's cost `factor` (src/core/proposal-cost.ts).
 *
 * @example
 * predictLevelCosts(levelCosts(fidelity, records), [1100, null, null], 1.9) // [{ level: 0, levelName: 's', expectedRunMs: 2090 }, ...]
 */
export function predictLevelCosts(costs: readonly Pick<LevelCost, 'level' | 'name' | 'expectedMs'>[], parentMs: ReadonlyArray<number | null>, factor: number): PredictedLevelCost[] {
  const ratios = costs.flatMap((cost) => {
    const own = parentMs[cost.level];
    return own != null && own > 0 && cost.expectedMs !== null && cost.expectedMs > 0 ? [Math.log(own / cost.expectedMs)] : [];
  });
  const speed = ratios.length === 0 ? 1 : Math.min(2, Math.max(0.5, Math.exp(ratios.reduce((sum, value) => sum + value, 0) / ratios.length)));
  return costs.map((cost) => {
    const own = parentMs[cost.level];
    const base = own != null && own > 0 ? own : cost.expectedMs === null ? null : cost.expectedMs * speed;
    return { level: cost.level, levelName: cost.name, expectedRunMs: base === null ? null : Math.round(base * factor) };
  });
}
