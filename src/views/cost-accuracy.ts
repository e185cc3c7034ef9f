/**
 * How well the cost model predicted (src/core/proposal-cost.ts): per level, the trials whose
 * prediction (`trial.cost_predicted`) can be checked against the run time then measured, and
 * the ratio measured / predicted (median and the middle 80%). Shown in the report.
 */
import type { StudyEvent } from '../core/audit-events.ts';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { TrialRecord } from '../core/trial.ts';

/** One level's check of the predictions. */
export interface CostAccuracyLevel {
  levelName: string;
  /** Trials predicted and then measured at this level. */
  checked: number;
  /** Median of measured / predicted run time (1: exact). */
  medianRatio: number;
  p10Ratio: number;
  p90Ratio: number;
}

/**
 * The check of every recorded prediction, by level; empty when none can be checked yet.
 *
 * @example costAccuracy(events, trials, levels)[0] // { levelName: 's', checked: 14, medianRatio: 1.04, p10Ratio: 0.81, p90Ratio: 1.32 }
 */
export function costAccuracy(events: readonly StudyEvent[], trials: readonly TrialRecord[], levels: readonly TrialLevelRecord[] | null): CostAccuracyLevel[] {
  const runOf = new Map(trials.map((trial) => [trial.id, trial.timings.runMs ?? 0]));
  const measured = (trialId: number, level: number): number => {
    if (levels === null) return level === 0 ? (runOf.get(trialId) ?? 0) : 0;
    return levels.find((record) => record.trialId === trialId && record.level === level)?.runMs ?? 0;
  };
  const ratios = new Map<string, { order: number; values: number[] }>();
  for (const event of events) {
    if (event.type !== 'trial.cost_predicted' || event.trialId === null) continue;
    for (const level of event.data.levels) {
      const took = measured(event.trialId, level.level);
      if (level.expectedRunMs === null || level.expectedRunMs <= 0 || took <= 0) continue;
      const entry = ratios.get(level.levelName) ?? { order: level.level, values: [] };
      entry.values.push(took / level.expectedRunMs);
      ratios.set(level.levelName, entry);
    }
  }
  return [...ratios.entries()]
    .sort((a, b) => a[1].order - b[1].order)
    .map(([levelName, { values }]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { levelName, checked: sorted.length, medianRatio: quantile(sorted, 0.5), p10Ratio: quantile(sorted, 0.1), p90Ratio: quantile(sorted, 0.9) };
    });
}

/** The `q` quantile of sorted values (linear between the nearest ranks). */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
