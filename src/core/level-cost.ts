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
